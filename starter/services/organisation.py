"""The organisation as data (``0008_organisation.sql``): units, the staff directory, who is a
member of which unit and who is allocated to which placement.

Every change is a command from a signed-in person, written as an event with its actor in
``organisation_events`` and applied to the tables in the same transaction, so the history of
who could see a child is kept as long as the access log. Units, staff and memberships are kept
by the administrator (who sees no child's record); a placement's allocations change by its
Registered Manager or the administrator.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from safeside.db import Pool
from safeside.tokens import Principal
from starter.services import relationships, standings
from starter.services.paging import Params
from starter.services.permissions import Denied
from starter.services.relationships import AllocatedRole
from starter.services.standing import UNIT_ROLES, Relationship
from workflows.domain.common import OPAQUE_ID_PATTERN, Reference, Role

R = Role


class OrganisationRefused(Exception):
    """The change cannot be made as asked (an unknown unit or person, a duplicate); the message
    names the field and says why, never a name."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


OpaqueUnitId = Field(pattern=OPAQUE_ID_PATTERN, description="The unit's opaque id.")


class NewUnit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: str = OpaqueUnitId
    # Shown only to the unit's own staff: a name such as "Birch House", never an address.
    display_name: str = Field(min_length=1, max_length=80)


class NewStaffMember(BaseModel):
    model_config = ConfigDict(extra="forbid")

    staff_ref: Reference
    roles: list[Role] = Field(min_length=1)


class Membership(BaseModel):
    model_config = ConfigDict(extra="forbid")

    staff_ref: Reference
    unit_id: str = OpaqueUnitId
    from_at: datetime | None = None
    until_at: datetime | None = None


class Allocation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: AllocatedRole
    staff_ref: Reference


def _only_administrator(caller: Principal) -> None:
    if caller.role is not R.administrator:
        raise Denied("only the administrator keeps the organisation's data")


async def _record(con: Any, caller: Principal, event_type: str, payload: dict[str, Any]) -> None:
    await con.execute(
        """INSERT INTO organisation_events (actor_role, actor_ref, event_type, payload)
           VALUES ($1, $2, $3, $4)""",
        caller.role.value,
        caller.subject,
        event_type,
        payload,
    )


async def create_unit(pool: Pool, caller: Principal, unit: NewUnit) -> None:
    _only_administrator(caller)
    async with pool.acquire() as con, con.transaction():
        created = await con.fetchval(
            """INSERT INTO org_units (unit_id, display_name, created_at) VALUES ($1, $2, now())
               ON CONFLICT DO NOTHING RETURNING unit_id""",
            unit.unit_id,
            unit.display_name,
        )
        if created is None:
            raise OrganisationRefused("unit_id", "a unit with this id already exists")
        await _record(con, caller, "unit_created", unit.model_dump(mode="json"))


async def add_staff(pool: Pool, caller: Principal, member: NewStaffMember) -> None:
    """Add a person to the directory, or change the roles they may sign in with."""
    _only_administrator(caller)
    roles = sorted({role.value for role in member.roles})
    async with pool.acquire() as con, con.transaction():
        await con.execute(
            """INSERT INTO staff (staff_ref, roles, added_at) VALUES ($1, $2, now())
               ON CONFLICT (staff_ref) DO UPDATE SET roles = EXCLUDED.roles""",
            member.staff_ref,
            roles,
        )
        await _record(
            con, caller, "staff_roles_set", {"staff_ref": member.staff_ref, "roles": roles}
        )


async def join_unit(pool: Pool, caller: Principal, membership: Membership) -> None:
    _only_administrator(caller)
    from_at = membership.from_at or datetime.now(UTC)
    async with pool.acquire() as con, con.transaction():
        await _known(con, membership.staff_ref, membership.unit_id)
        await con.execute(
            """INSERT INTO unit_memberships (staff_ref, unit_id, from_at, until_at)
               VALUES ($1, $2, $3, $4)""",
            membership.staff_ref,
            membership.unit_id,
            from_at,
            membership.until_at,
        )
        payload = membership.model_dump(mode="json") | {"from_at": from_at.isoformat()}
        await _record(con, caller, "unit_joined", payload)


async def leave_unit(pool: Pool, caller: Principal, staff_ref: str, unit_id: str) -> None:
    """End the person's current membership of the unit now."""
    _only_administrator(caller)
    async with pool.acquire() as con, con.transaction():
        ended = await con.fetchval(
            """UPDATE unit_memberships SET until_at = now()
                WHERE staff_ref = $1 AND unit_id = $2 AND from_at <= now()
                  AND (until_at IS NULL OR until_at > now())
            RETURNING staff_ref""",
            staff_ref,
            unit_id,
        )
        if ended is None:
            raise OrganisationRefused("staff_ref", "this person is not a member of the unit now")
        await _record(con, caller, "unit_left", {"staff_ref": staff_ref, "unit_id": unit_id})


async def _known(con: Any, staff_ref: str, unit_id: str) -> None:
    if not await con.fetchval("SELECT true FROM staff WHERE staff_ref = $1", staff_ref):
        raise OrganisationRefused("staff_ref", "there is no such person in the staff directory")
    if not await con.fetchval("SELECT true FROM org_units WHERE unit_id = $1", unit_id):
        raise OrganisationRefused("unit_id", "there is no unit with this id")


async def check_may_start_in(pool: Pool, caller: Principal, unit_id: str) -> None:
    """A placement starts only in a unit that exists and that the starting manager belongs
    to: an unknown unit is a field error (``OrganisationRefused`` on ``unit_id``)."""
    async with pool.acquire() as con:
        if not await con.fetchval("SELECT true FROM org_units WHERE unit_id = $1", unit_id):
            raise OrganisationRefused("unit_id", "there is no unit with this id")
    if not await relationships.is_member(pool, caller, unit_id):
        raise Denied("you may start a placement only in a unit you belong to")


async def house(
    pool: Pool, caller: Principal, placement_id: str, unit_id: str, social_worker_ref: str
) -> None:
    """Record where a placement lives and its social worker, as it starts (before its
    workflow does, so the starting manager can read it at once)."""
    async with pool.acquire() as con, con.transaction():
        housed = await con.fetchval(
            """INSERT INTO placement_homes (placement_id, unit_id, placed_at)
               VALUES ($1, $2, now()) ON CONFLICT DO NOTHING RETURNING placement_id""",
            placement_id,
            unit_id,
        )
        if housed is None:
            return  # a retried start: already housed
        await _allocate(con, placement_id, AllocatedRole.social_worker, social_worker_ref)
        await _record(
            con,
            caller,
            "placement_housed",
            {
                "placement_id": placement_id,
                "unit_id": unit_id,
                "social_worker_ref": social_worker_ref,
            },
        )


async def change_allocation(
    pool: Pool, caller: Principal, placement_id: str, allocation: Allocation
) -> None:
    """End the placement's current allocation for the role and start the new one. The
    placement's Registered Manager or the administrator changes it."""
    if caller.role is not R.administrator and not (
        caller.role is R.registered_manager
        and await standings.relationship_now(pool, caller, placement_id) is Relationship.unit_staff
    ):
        raise Denied("the placement's Registered Manager or the administrator allocates")
    async with pool.acquire() as con, con.transaction():
        if not await con.fetchval(
            "SELECT true FROM placement_homes WHERE placement_id = $1", placement_id
        ):
            raise OrganisationRefused("placement_id", "there is no placement with this id")
        await _allocate(con, placement_id, allocation.role, allocation.staff_ref)
        await _record(
            con,
            caller,
            "allocation_changed",
            {"placement_id": placement_id} | allocation.model_dump(mode="json"),
        )


async def _allocate(con: Any, placement_id: str, role: AllocatedRole, staff_ref: str) -> None:
    await con.execute(
        """UPDATE allocations SET until_at = now()
            WHERE placement_id = $1 AND role = $2 AND until_at IS NULL""",
        placement_id,
        role.value,
    )
    await con.execute(
        """INSERT INTO allocations (placement_id, role, staff_ref, from_at)
           VALUES ($1, $2, $3, clock_timestamp())""",
        placement_id,
        role.value,
        staff_ref,
    )


# -- Reading the directory, for the forms that choose from it --------------------------------


async def units_of(pool: Pool, caller: Principal) -> list[tuple[str, str]]:
    """The units the caller works in now, in the role they signed in with: (id, name), by
    name. A manager starts a placement only in one of these."""
    param = Params()
    rows = await pool.fetch(
        f"""SELECT u.unit_id, u.display_name FROM org_units u
             WHERE {relationships.visible_units(caller, "u.unit_id", param)}
             ORDER BY u.display_name, u.unit_id""",
        *param.values,
    )
    return [(row["unit_id"], row["display_name"]) for row in rows]


async def unit_staff(pool: Pool, unit_id: str) -> list[tuple[str, list[Role]]]:
    """Who works in the unit now, with the unit roles the directory gives them, by reference."""
    rows = await pool.fetch(
        """SELECT s.staff_ref, s.roles FROM staff s
             JOIN unit_memberships m ON m.staff_ref = s.staff_ref
            WHERE m.unit_id = $1 AND m.from_at <= now()
              AND (m.until_at IS NULL OR m.until_at > now())
            GROUP BY s.staff_ref, s.roles ORDER BY s.staff_ref""",
        unit_id,
    )
    return [
        (row["staff_ref"], [Role(r) for r in row["roles"] if Role(r) in UNIT_ROLES]) for row in rows
    ]
