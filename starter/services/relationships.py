"""Who the caller is to a child: the relationship that gives need to know.

- Unit staff (residential and key workers, Duty and Registered Managers) see the children of
  the units they are members of now, in a role the staff directory gives them.
- A social worker, an Independent Reviewing Officer or a key worker sees the placements
  allocated to them now.
- A Duty or Registered Manager may open one child outside that by break-glass, with a reason,
  for a few hours (``starter.services.break_glass``).
- The auditor oversees every placement, seeing only its structure (redaction); the
  administrator none.

One function answers for one placement (``relationship``); one SQL condition answers for a
list (``visible_placements``), so a list never shows, or counts, a child its reader may not see.
"""

from __future__ import annotations

from enum import StrEnum

from safeside.db import Pool
from safeside.tokens import Principal
from starter.services.paging import Params
from workflows.domain.common import Role

R = Role
# The roles whose access to a child comes from being a member of the child's unit.
UNIT_ROLES = frozenset({R.residential_worker, R.key_worker, R.duty_manager, R.registered_manager})


class AllocatedRole(StrEnum):
    """The people allocated to one placement, each for as long as the allocation lasts."""

    social_worker = "social_worker"
    independent_reviewing_officer = "independent_reviewing_officer"
    key_worker = "key_worker"


class Relationship(StrEnum):
    unit_staff = "unit_staff"
    allocated = "allocated"
    break_glass = "break_glass"
    oversight = "oversight"


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


async def in_directory(pool: Pool, caller: Principal) -> bool:
    """Whether the staff directory gives the caller the role they signed in with."""
    condition = _IN_DIRECTORY.format(me="$1", role="$2")
    return bool(await pool.fetchval(f"SELECT {condition}", caller.subject, caller.role.value))


async def is_member(pool: Pool, caller: Principal, unit_id: str) -> bool:
    """Whether the caller, in the role they signed in with, works in the unit now."""
    condition = _unit_staff_of("$3", "$1", "$2")
    return bool(
        await pool.fetchval(f"SELECT {condition}", caller.subject, caller.role.value, unit_id)
    )


async def unit_member_of(pool: Pool, caller: Principal, placement_id: str) -> bool:
    """Whether the caller works now in the unit where the placement lives."""
    condition = _unit_staff_of(_HOME.format(placement="$3"), "$1", "$2")
    return bool(
        await pool.fetchval(f"SELECT {condition}", caller.subject, caller.role.value, placement_id)
    )


async def relationship(pool: Pool, caller: Principal, placement_id: str) -> Relationship | None:
    """How the caller relates to the placement now, or None: they do not work with the child
    (or there is no such child: the two are never told apart)."""
    if caller.role is R.auditor:
        return Relationship.oversight
    found = await pool.fetchrow(
        f"""SELECT {_unit_staff_of(_HOME.format(placement="$3"), "$1", "$2")} AS unit_staff,
                   {_ALLOCATED_NOW.format(placement="$3", me="$1", role="$2")} AS allocated,
                   {_BREAK_GLASS_NOW.format(placement="$3", me="$1", role="$2")} AS break_glass""",
        caller.subject,
        caller.role.value,
        placement_id,
    )
    assert found is not None  # a SELECT without FROM gives one row
    for kind in (Relationship.unit_staff, Relationship.allocated, Relationship.break_glass):
        if found[kind.value]:
            return kind
    return None


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
