"""The organisations the operator's commands make for themselves, through the administrator's
own service (``starter.services.organisation``), so every change is in
``organisation_events`` like any other: the small development organisation ``safeside dev``
starts with, so the README's walk-through works, and the demo's unit and staff.

Both are made again on every start, so each step makes only what is missing: a unit that
exists, a person who has the roles already and a membership that runs now are left as they are
(and write no event).
"""

from __future__ import annotations

from dataclasses import dataclass

from safeside.db import Pool
from safeside.embedded.identity_provider import ROLE_CLAIM, STAFF_CLAIM, ProviderUser
from safeside.tokens import Principal
from starter.services import organisation, relationships
from starter.services.organisation import Membership, NewStaffMember, NewUnit, OrganisationRefused
from workflows.domain.common import Role

R = Role


@dataclass(frozen=True)
class Person:
    """Someone in the staff directory (an opaque reference, never a name), the roles they sign
    in with and the units they work in."""

    staff_ref: str
    roles: tuple[Role, ...]
    units: tuple[str, ...] = ()


@dataclass(frozen=True)
class Organisation:
    units: dict[str, str]  # unit id -> the name its own staff know it by
    staff: tuple[Person, ...]


# The development stack's: a person in every role that signs in (so each can be tried at the
# development identity provider's login page), in two units. The walk-through's manager, Duty
# Manager and key worker are staff-01, staff-03 and staff-17. Social workers and Independent
# Reviewing Officers work in no unit: they see the placements allocated to them
# (`safeside placement allocate`); the auditor oversees every placement; the administrator
# keeps the organisation's data (`safeside org ...`).
DEV_ORGANISATION = Organisation(
    units={"UNIT-7": "Birch House", "UNIT-8": "Cedar House"},
    staff=(
        Person("staff-01", (R.registered_manager,), ("UNIT-7",)),
        Person("staff-02", (R.registered_manager,), ("UNIT-8",)),
        Person("staff-03", (R.duty_manager,), ("UNIT-7", "UNIT-8")),
        Person("staff-17", (R.key_worker,), ("UNIT-7",)),
        Person("staff-21", (R.residential_worker,), ("UNIT-8",)),
        Person("sw-01", (R.social_worker,)),
        Person("iro-01", (R.independent_reviewing_officer,)),
        Person("audit-01", (R.auditor,)),
        Person("admin-01", (R.administrator,)),
    ),
)
# Who the development stack records as having made its organisation (the operator, not a
# person in it).
DEV_SEEDER = Principal(subject="safeside-dev", role=R.administrator)


def provider_users(wanted: Organisation) -> tuple[ProviderUser, ...]:
    """The development identity provider's users: one for each role each person signs in
    with, named so its login page explains itself (``staff-03-duty-manager``)."""
    return tuple(
        ProviderUser(
            sub=f"{person.staff_ref}-{role.value.replace('_', '-')}",
            claims={STAFF_CLAIM: person.staff_ref, ROLE_CLAIM: role.value},
        )
        for person in wanted.staff
        for role in person.roles
    )


async def ensure_organisation(pool: Pool, administrator: Principal, wanted: Organisation) -> None:
    """Make what ``wanted`` holds that is not there yet, as ``administrator``."""
    for unit_id, name in wanted.units.items():
        await ensure_unit(pool, administrator, unit_id, name)
    for person in wanted.staff:
        await ensure_person(pool, administrator, person)


async def ensure_unit(pool: Pool, administrator: Principal, unit_id: str, name: str) -> None:
    try:
        await organisation.create_unit(
            pool, administrator, NewUnit(unit_id=unit_id, display_name=name)
        )
    except OrganisationRefused as refused:
        if refused.field != "unit_id":
            raise
        # The unit exists already (made on an earlier start): kept as it is.


async def ensure_person(pool: Pool, administrator: Principal, person: Person) -> None:
    """The person in the directory with at least their roles (roles given since are kept), and
    a member now of each of their units."""
    held: list[str] | None = await pool.fetchval(
        "SELECT roles FROM staff WHERE staff_ref = $1", person.staff_ref
    )
    roles = {role.value for role in person.roles}
    if held is None or not roles <= set(held):
        every = sorted(roles | set(held or []))
        await organisation.add_staff(
            pool,
            administrator,
            NewStaffMember(staff_ref=person.staff_ref, roles=[Role(role) for role in every]),
        )
    as_themselves = Principal(subject=person.staff_ref, role=person.roles[0])
    for unit_id in person.units:
        if not await relationships.is_member(pool, as_themselves, unit_id):
            await organisation.join_unit(
                pool, administrator, Membership(staff_ref=person.staff_ref, unit_id=unit_id)
            )
