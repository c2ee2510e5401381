"""Who the caller is to a child: the relationship that gives need to know.

- Unit staff (residential and key workers, Duty and Registered Managers) see the children of
  the units they are members of now, in a role the staff directory gives them.
- A social worker, an Independent Reviewing Officer or a key worker sees the placements
  allocated to them now.
- A Duty or Registered Manager may open one child outside that by break-glass, with a reason,
  for a few hours (``starter.services.break_glass``).
- The auditor oversees every placement, seeing only its structure (redaction); the
  administrator none.

One query gives the caller's standing (``standing``), from which ``starter.services.standing``
decides in Python their relationship to one placement, when PostgreSQL answers and, with the
standing it gave last, while it does not (``starter.services.standings``); one SQL condition
answers for a list (``visible_placements``), so a list never shows, or counts, a child its reader
may not see. The two say the same: ``test_one_placement_and_a_list_agree`` holds them to it
(``tests/integration/security``), and the need-to-know tests hold every door to both.
"""

from __future__ import annotations

from enum import StrEnum

from safeside.db import Pool
from safeside.tokens import Principal
from starter.services.paging import Params
from starter.services.standing import UNIT_ROLES, BreakGlassOpening, Membership, Standing
from workflows.domain.common import Role

R = Role


class AllocatedRole(StrEnum):
    """The people allocated to one placement, each for as long as the allocation lasts."""

    social_worker = "social_worker"
    independent_reviewing_officer = "independent_reviewing_officer"
    key_worker = "key_worker"


# SQL pieces with named holes: {me} and {role} are the caller's parameters, {unit} a unit id
# expression, {placement} a placement id expression. A column given as {unit} or {placement}
# must be qualified by its table's alias ("o.stream_id"): a bare name would be read as the
# subquery's own column of that name.
_IN_DIRECTORY = "EXISTS (SELECT 1 FROM staff s WHERE s.staff_ref = {me} AND {role} = ANY (s.roles))"
_MEMBER_NOW = """EXISTS (SELECT 1 FROM unit_memberships m
                          WHERE m.staff_ref = {me} AND m.unit_id = {unit} AND m.from_at <= now()
                            AND (m.until_at IS NULL OR m.until_at > now()))"""
# Where a placement lives: from its start, or (placements started before the organisation was
# data) from the projections.
_HOME = """coalesce((SELECT h.unit_id FROM placement_homes h WHERE h.placement_id = {placement}),
                    (SELECT pl.unit_id FROM placements pl WHERE pl.stream_id = {placement}))"""
_ALLOCATED_NOW = """EXISTS (SELECT 1 FROM allocations a
                             WHERE a.placement_id = {placement} AND a.staff_ref = {me}
                               AND a.role = {role} AND a.until_at IS NULL)"""
_BREAK_GLASS_NOW = (
    """EXISTS (SELECT 1 FROM break_glass b
                               WHERE b.placement_id = {placement} AND b.staff_ref = {me}
                                 AND b.role = {role} AND b.expires_at > now())
                       AND """
    + _IN_DIRECTORY
)


def _unit_staff_of(unit: str, me: str, role: str) -> str:
    return (
        f"{role} = ANY (ARRAY{sorted(r.value for r in UNIT_ROLES)}::text[])"
        f" AND {_IN_DIRECTORY.format(me=me, role=role)}"
        f" AND {_MEMBER_NOW.format(me=me, unit=unit)}"
    )


# The caller's standing, and where the placement $3 lives (NULL for none, or no placement).
_STANDING = f"""
    SELECT {_IN_DIRECTORY.format(me="$1", role="$2")} AS in_directory,
           ARRAY(SELECT ROW(m.unit_id, m.from_at, m.until_at) FROM unit_memberships m
                  WHERE m.staff_ref = $1 AND (m.until_at IS NULL OR m.until_at > now())
                  ORDER BY m.unit_id, m.from_at) AS memberships,
           ARRAY(SELECT a.placement_id FROM allocations a
                  WHERE a.staff_ref = $1 AND a.role = $2 AND a.until_at IS NULL) AS allocated,
           ARRAY(SELECT ROW(b.id, b.placement_id, b.expires_at, b.reason) FROM break_glass b
                  WHERE b.staff_ref = $1 AND b.role = $2 AND b.expires_at > now()
                  ORDER BY b.id) AS break_glass,
           {_HOME.format(placement="$3::text")} AS home_unit,
           now() AS said_at"""


async def standing(
    pool: Pool, caller: Principal, placement_id: str | None = None
) -> tuple[Standing, str | None]:
    """The caller's standing now, and the unit where ``placement_id`` lives (None: nowhere
    known), in one query."""
    row = await pool.fetchrow(_STANDING, caller.subject, caller.role.value, placement_id)
    assert row is not None  # a SELECT without FROM gives one row
    found = Standing(
        caller=caller,
        in_directory=row["in_directory"],
        memberships=tuple(Membership(*m) for m in row["memberships"]),
        allocated=frozenset(row["allocated"]),
        break_glass=tuple(BreakGlassOpening(*b) for b in row["break_glass"]),
        said_at=row["said_at"],
    )
    return found, row["home_unit"]


async def is_member(pool: Pool, caller: Principal, unit_id: str) -> bool:
    """Whether the caller, in the role they signed in with, works in the unit now."""
    condition = _unit_staff_of("$3", "$1", "$2")
    return bool(
        await pool.fetchval(f"SELECT {condition}", caller.subject, caller.role.value, unit_id)
    )


def visible_placements(caller: Principal, column: str, param: Params) -> str:
    """A SQL condition on ``column`` (a placement id) true for the placements the caller may
    see in a list; its arguments go to ``param``."""
    if caller.role is R.auditor:
        return "true"
    me, role = param(caller.subject), param(caller.role.value)
    parts = (
        _unit_staff_of(_HOME.format(placement=column), me, role),
        _ALLOCATED_NOW.format(placement=column, me=me, role=role),
        _BREAK_GLASS_NOW.format(placement=column, me=me, role=role),
    )
    return "(" + " OR ".join(f"({part})" for part in parts) + ")"


def visible_units(caller: Principal, column: str, param: Params) -> str:
    """A SQL condition on ``column`` (a unit id) true for the units the caller works in now."""
    return f"({_unit_staff_of(column, param(caller.subject), param(caller.role.value))})"
