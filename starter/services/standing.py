"""A caller's standing: what the organisation's data says of one person in one role, enough to
decide their relationship to any one placement by the rules of ``relationships``.

PostgreSQL gives the standing (``relationships.standing``, one query) and the decision is made
here, the same way whether the standing is fresh or the last one PostgreSQL gave, used while it
does not answer (``standings``). Every time is on PostgreSQL's clock: a fresh standing is judged
at the moment PostgreSQL gave it, a remembered one that much later, so a membership that ends or
a break-glass opening that runs out during an outage ends on time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from safeside.tokens import Principal
from workflows.domain.common import Role

R = Role
# The roles whose access to a child comes from being a member of the child's unit.
UNIT_ROLES = frozenset({R.residential_worker, R.key_worker, R.duty_manager, R.registered_manager})


class Relationship(StrEnum):
    unit_staff = "unit_staff"
    allocated = "allocated"
    break_glass = "break_glass"
    oversight = "oversight"


@dataclass(frozen=True)
class Membership:
    """A membership of a unit, from a time and, once it is ended, until one."""

    unit_id: str
    from_at: datetime
    until_at: datetime | None

    def holds_at(self, at: datetime) -> bool:
        return self.from_at <= at and (self.until_at is None or self.until_at > at)


@dataclass(frozen=True)
class BreakGlassOpening:
    """A child's record opened by break-glass, until ``expires_at``, for ``reason``."""

    id: int
    placement_id: str
    expires_at: datetime
    reason: str


@dataclass(frozen=True)
class Standing:
    """The caller in the staff directory in their role, their memberships not yet ended, the
    placements allocated to them in their role, and their break-glass openings not yet run out:
    as PostgreSQL said at ``said_at``, on its clock."""

    caller: Principal
    in_directory: bool
    memberships: tuple[Membership, ...]
    allocated: frozenset[str]
    break_glass: tuple[BreakGlassOpening, ...]
    said_at: datetime

    def works_in_a_unit(self, at: datetime) -> bool:
        """Whether they are unit staff anywhere at ``at`` (whether a placement's home counts)."""
        return self._in_a_unit_role() and any(m.holds_at(at) for m in self.memberships)

    def member_of(self, unit_id: str | None, at: datetime) -> bool:
        """Whether they work in the unit at ``at``, in a unit role the directory gives them."""
        return self._in_a_unit_role() and any(
            m.unit_id == unit_id and m.holds_at(at) for m in self.memberships
        )

    def opening(self, placement_id: str, at: datetime) -> BreakGlassOpening | None:
        """Their latest break-glass opening of the placement still open at ``at``, while the
        directory gives them their role."""
        if not self.in_directory:
            return None
        still_open = [
            b for b in self.break_glass if b.placement_id == placement_id and b.expires_at > at
        ]
        return max(still_open, key=lambda b: b.id, default=None)

    def relationship(
        self, placement_id: str, home_unit: str | None, at: datetime
    ) -> Relationship | None:
        """How they relate at ``at`` to the placement that lives in ``home_unit`` (None: it lives
        nowhere known), or None: they do not work with the child (or there is no such child: the
        two are never told apart)."""
        if self.caller.role is R.auditor:
            return Relationship.oversight
        if home_unit is not None and self.member_of(home_unit, at):
            return Relationship.unit_staff
        if placement_id in self.allocated:
            return Relationship.allocated
        if self.opening(placement_id, at) is not None:
            return Relationship.break_glass
        return None

    def _in_a_unit_role(self) -> bool:
        return self.caller.role in UNIT_ROLES and self.in_directory
