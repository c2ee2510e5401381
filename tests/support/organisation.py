"""The organisation the tests work in: units, the staff directory and memberships, made
through the same service the administrator uses (``starter.services.organisation``).

- ``UNIT-7`` (the tests' default unit: ``tests.support.placements.start_command``),
  ``UNIT-A`` and ``UNIT-B``;
- ``staff-01`` the Registered (and Duty) Manager of all three, ``staff-17`` a key and
  residential worker of all three, ``staff-test`` every unit role in ``UNIT-7`` (the default
  subject of ``tests.support.security.bearer``);
- ``kw-other`` a key worker of ``UNIT-OTHER`` only, for the tests of need to know;
- social workers are allocated by the placement's start facts (``sw-204`` by default).
"""

from __future__ import annotations

from safeside.db import Pool
from safeside.tokens import Principal
from starter.services import organisation
from starter.services.organisation import Allocation, Membership, NewStaffMember, NewUnit
from starter.services.relationships import AllocatedRole
from tests.support.units import new_unit_id
from workflows.domain.common import Role

R = Role
ADMINISTRATOR = Principal(subject="admin-01", role=R.administrator)
UNIT_ROLES = [R.residential_worker, R.key_worker, R.duty_manager, R.registered_manager]

UNITS = {
    "UNIT-7": "Birch House",
    "UNIT-A": "Ash House",
    "UNIT-B": "Cedar House",
    "UNIT-OTHER": "Oak House",
}
STAFF: dict[str, tuple[list[Role], list[str]]] = {
    "staff-01": ([R.registered_manager, R.duty_manager], ["UNIT-7", "UNIT-A", "UNIT-B"]),
    "staff-17": ([R.key_worker, R.residential_worker], ["UNIT-7", "UNIT-A", "UNIT-B"]),
    "staff-test": (UNIT_ROLES, ["UNIT-7"]),
    "kw-other": ([R.key_worker], ["UNIT-OTHER"]),
    "dm-other": ([R.duty_manager], ["UNIT-OTHER"]),
}


async def given_unit(pool: Pool, unit_id: str, display_name: str = "A house") -> None:
    await organisation.create_unit(
        pool, ADMINISTRATOR, NewUnit(unit_id=unit_id, display_name=display_name)
    )


async def given_staff(pool: Pool, staff_ref: str, roles: list[Role], units: list[str]) -> None:
    await organisation.add_staff(
        pool, ADMINISTRATOR, NewStaffMember(staff_ref=staff_ref, roles=roles)
    )
    for unit_id in units:
        await organisation.join_unit(
            pool, ADMINISTRATOR, Membership(staff_ref=staff_ref, unit_id=unit_id)
        )


async def seed_test_organisation(pool: Pool) -> None:
    """The units and staff above, in this test's own database."""
    for unit_id, name in UNITS.items():
        await given_unit(pool, unit_id, name)
    for staff_ref, (roles, units) in STAFF.items():
        await given_staff(pool, staff_ref, roles, units)


async def given_home(pool: Pool, placement_id: str, unit_id: str = "UNIT-7") -> None:
    """Where a placement lives, as its start records it (for placements a test makes up)."""
    manager = Principal(subject="staff-01", role=R.registered_manager)
    await organisation.house(pool, manager, placement_id, unit_id, "sw-204")


async def given_unit_with_staff(pool: Pool, unit_id: str) -> None:
    """A new unit where ``staff-01`` (managers) and ``staff-17`` (workers) work."""
    await given_unit(pool, unit_id)
    for staff_ref in ("staff-01", "staff-17"):
        await organisation.join_unit(
            pool, ADMINISTRATOR, Membership(staff_ref=staff_ref, unit_id=unit_id)
        )


async def given_new_unit_with_its_own_duty_manager(pool: Pool, duty_manager: str) -> str:
    """A new unit (its id) where ``staff-01`` and ``staff-17`` work, and ``duty_manager``, a new
    Duty Manager of this unit alone: their Today shows this unit's children and no others."""
    unit_id = new_unit_id()
    await given_unit_with_staff(pool, unit_id)
    await given_staff(pool, duty_manager, [R.duty_manager], [unit_id])
    return unit_id


async def given_allocation(
    pool: Pool, placement_id: str, role: AllocatedRole | str, staff_ref: str
) -> None:
    """Allocate ``staff_ref`` to the placement as its ``role`` (its social worker, IRO or key
    worker), as the administrator does."""
    allocation = Allocation(role=AllocatedRole(role), staff_ref=staff_ref)
    await organisation.change_allocation(pool, ADMINISTRATOR, placement_id, allocation)
