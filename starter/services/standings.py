"""The caller's standing for this request: the one way the service layer decides a person's
relationship to one placement, and whether the staff directory gives them their role.

PostgreSQL is asked on every request (so a membership ended, an allocation changed or a role
taken away counts at once) and its answer is remembered. While it does not answer, the standing
it gave last for the caller is used if younger than the grace (``SAFESIDE_OUTAGE_GRACE_MINUTES``),
judged at the time now on its clock (``standing``), so a break-glass opening past its expiry
never counts; where the placement lives comes from what PostgreSQL said last or from the
placement's own workflow (a placement never moves unit). With no standing remembered, the
request fails as before (503, saying what to do). The auditor oversees every placement and needs
no standing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from safeside.db import Pool
from safeside.tokens import Principal
from starter.services import placements, relationships
from starter.services.remembered import Recalled, Remembered, asked
from starter.services.standing import Relationship, Standing
from workflows.domain.common import Role

if TYPE_CHECKING:
    from starter.services.connection import Services

# A placement's unit never changes: where it lives, once known, is known for good.
_FOR_GOOD = timedelta.max


@dataclass
class KnownStandings:
    """What PostgreSQL said last: each caller's standing, and where each placement lives."""

    standings: Remembered[tuple[str, Role], Standing] = field(default_factory=Remembered)
    homes: Remembered[str, str] = field(default_factory=Remembered)


@dataclass(frozen=True)
class Related:
    """How the caller relates to one placement now (None: not at all), and the reason of the
    break-glass opening when that is how."""

    relationship: Relationship | None
    break_glass_reason: str | None = None


async def standing_now(services: Services, caller: Principal) -> Standing:
    """The caller's standing: PostgreSQL's now, or while it does not answer its last within the
    grace (the failure itself when there is none)."""
    recalled, _ = await _asked(services, caller, None)
    return recalled.value


async def in_directory(services: Services, caller: Principal) -> bool:
    """Whether the staff directory gives the caller the role they signed in with (while
    PostgreSQL does not answer: as it said last, within the grace)."""
    return (await standing_now(services, caller)).in_directory


async def in_directory_now(pool: Pool, caller: Principal) -> bool:
    """The same, by PostgreSQL's answer now alone: for what opens something new (a session, a
    break-glass opening), never on a remembered answer."""
    found, _ = await relationships.standing(pool, caller)
    return found.in_directory


async def related(services: Services, caller: Principal, placement_id: str) -> Related:
    """How the caller relates to the placement now, by their standing (``standing_now``)."""
    if caller.role is Role.auditor:
        return Related(Relationship.oversight)
    recalled, homes = await _asked(services, caller, placement_id)
    standing = recalled.value
    at = standing.said_at + recalled.age
    if placement_id in homes:  # PostgreSQL answered now
        home = homes[placement_id]
        if home is not None:
            services.known.homes.keep(placement_id, home)
    elif standing.works_in_a_unit(at):
        home = await _home_while_unanswered(services, placement_id)
    else:
        home = None
    relationship = standing.relationship(placement_id, home, at)
    if relationship is not Relationship.break_glass:
        return Related(relationship)
    opening = standing.opening(placement_id, at)
    assert opening is not None  # break-glass is how they relate: an opening is open
    return Related(relationship, opening.reason)


async def relationship_now(pool: Pool, caller: Principal, placement_id: str) -> Relationship | None:
    """The same decision from PostgreSQL's answer now alone, for a change to the organisation's
    data (which needs PostgreSQL anyway)."""
    found, home = await relationships.standing(pool, caller, placement_id)
    return found.relationship(placement_id, home, found.said_at)


async def _asked(
    services: Services, caller: Principal, placement_id: str | None
) -> tuple[Recalled[Standing], dict[str, str | None]]:
    """The caller's standing (``standing_now``), and where ``placement_id`` lives when
    PostgreSQL answered now (absent when it did not)."""
    homes: dict[str, str | None] = {}

    async def ask() -> Standing:
        found, home = await relationships.standing(services.pool, caller, placement_id)
        if placement_id is not None:
            homes[placement_id] = home
        return found

    key = (caller.subject, caller.role)
    grace = services.settings.outage_grace
    return await asked(ask, services.known.standings, key, grace=grace), homes


async def _home_while_unanswered(services: Services, placement_id: str) -> str | None:
    """Where the placement lives, as PostgreSQL said last or as its own workflow says (None
    for no such placement, as PostgreSQL would say)."""
    kept = services.known.homes.recall(placement_id, within=_FOR_GOOD)
    if kept is not None:
        return kept.value
    try:
        state = await placements.current_state(services.client, placement_id)
    except placements.PlacementNotFound:
        return None
    return None if state.facts is None else state.facts.unit_id
