"""The two ways need to know is decided say the same: for one placement, the caller's standing
judged in Python (``starter.services.standings``, also what a read goes on with while
PostgreSQL does not answer); for a list, one SQL condition (``relationships.visible_placements``).
Checked for every person of a small organisation against every placement and one that does not
exist, through memberships begun, ended and not yet begun, allocations, break-glass openings
open and run out, and a role the directory no longer gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from safeside.db import Pool
from safeside.tokens import Principal
from starter.services import organisation, standings
from starter.services.connection import Services
from starter.services.organisation import Membership, NewStaffMember
from starter.services.paging import Params
from starter.services.relationships import visible_placements
from starter.services.standing import Relationship
from tests.support.organisation import ADMINISTRATOR, given_allocation, given_home, given_staff
from tests.support.placements import new_placement_id
from workflows.domain.common import Role

R = Role
HOURS = timedelta(hours=1)


async def listed(pool: Pool, caller: Principal, placement_ids: list[str]) -> set[str]:
    """The placements among ``placement_ids`` a list shows the caller."""
    param = Params()
    ids = param(placement_ids)
    condition = visible_placements(caller, "p.id", param)
    rows = await pool.fetch(
        f"SELECT p.id FROM unnest({ids}::text[]) AS p(id) WHERE {condition}", *param.values
    )
    return {row["id"] for row in rows}


async def break_glass(pool: Pool, who: Principal, placement_id: str, *, expires_in: timedelta):
    await pool.execute(
        """INSERT INTO break_glass (staff_ref, role, placement_id, reason, opened_at, expires_at)
           VALUES ($1, $2, $3, 'covering tonight', now() - interval '1 hour', now() + $4)""",
        who.subject,
        who.role.value,
        placement_id,
        expires_in,
    )


async def test_one_placement_s_decision_and_the_list_condition_agree_for_everyone(
    services: Services, pool: Pool
) -> None:
    at_home, elsewhere, in_unit_a = new_placement_id(), new_placement_id(), new_placement_id()
    made_up = new_placement_id()
    await given_home(pool, at_home, "UNIT-7")
    await given_home(pool, elsewhere, "UNIT-OTHER")
    await given_home(pool, in_unit_a, "UNIT-A")
    await given_allocation(pool, elsewhere, "independent_reviewing_officer", "iro-01")
    await given_allocation(pool, at_home, "key_worker", "kw-other")
    # Left UNIT-7 today; joins it tomorrow; still a member, but no longer a key worker.
    await given_staff(pool, "gone-01", [R.key_worker], ["UNIT-7"])
    await organisation.leave_unit(pool, ADMINISTRATOR, "gone-01", "UNIT-7")
    await given_staff(pool, "later-01", [R.key_worker], [])
    tomorrow = datetime.now(UTC) + 24 * HOURS
    await organisation.join_unit(
        pool, ADMINISTRATOR, Membership(staff_ref="later-01", unit_id="UNIT-7", from_at=tomorrow)
    )
    await given_staff(pool, "moved-01", [R.key_worker], ["UNIT-7"])
    await organisation.add_staff(
        pool, ADMINISTRATOR, NewStaffMember(staff_ref="moved-01", roles=[R.residential_worker])
    )
    duty_elsewhere = Principal(subject="dm-other", role=R.duty_manager)
    await break_glass(pool, duty_elsewhere, at_home, expires_in=3 * HOURS)
    await break_glass(pool, duty_elsewhere, in_unit_a, expires_in=-HOURS)

    people = [
        Principal(subject=subject, role=role)
        for subject, role in [
            ("staff-01", R.registered_manager),
            ("staff-01", R.duty_manager),
            ("staff-17", R.key_worker),
            ("staff-17", R.residential_worker),
            ("staff-17", R.social_worker),
            ("kw-other", R.key_worker),
            ("dm-other", R.duty_manager),
            ("sw-204", R.social_worker),
            ("iro-01", R.independent_reviewing_officer),
            ("gone-01", R.key_worker),
            ("later-01", R.key_worker),
            ("moved-01", R.key_worker),
            ("moved-01", R.residential_worker),
            ("audit-01", R.auditor),
            ("admin-01", R.administrator),
        ]
    ]
    placements = [at_home, elsewhere, in_unit_a, made_up]
    disagreements, relationships = [], set()
    for person in people:
        in_a_list = await listed(pool, person, placements)
        for placement_id in placements:
            related = (await standings.related(services, person, placement_id)).relationship
            relationships.add(related)
            if (related is not None) != (placement_id in in_a_list):
                disagreements.append((str(person), placement_id, related, in_a_list))
    assert disagreements == []
    # Every way of relating was met, and not relating too.
    assert relationships == {*Relationship, None}
    assert (await standings.related(services, duty_elsewhere, at_home)).break_glass_reason == (
        "covering tonight"
    )
