"""The handover view (R16): current risks and what is due, for the shift taking over."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from workflows.domain.common import MissingKind, RiskLevel, UtcDatetime, utc
from workflows.domain.deadlines import Deadline, due
from workflows.domain.policy import Policy
from workflows.domain.protection_state import Restriction
from workflows.domain.state import PlacementState, PlacementStatus


class HandoverSummary(BaseModel):
    """`open_deadlines` are those still in time (and a missing episode's watch, never
    overdue); `overdue_deadlines` those past due."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    placement_id: str
    as_at: UtcDatetime
    status: PlacementStatus
    risk_level: RiskLevel | None
    risk_factors: tuple[str, ...]
    open_deadlines: tuple[Deadline, ...]
    overdue_deadlines: tuple[Deadline, ...]
    # R6, R12, R18: in force now, each with its reason and review date.
    restrictions: tuple[Restriction, ...] = ()
    # R11: None before the placement starts.
    phone_held: bool | None = None
    # R5: an open episode, whereabouts unknown (missing) or known (away without authorisation).
    # Where the child was last seen is never shown here: it is for the police.
    missing: bool = False
    away_without_authorisation: bool = False
    missing_episode_id: str | None = None
    missing_since: UtcDatetime | None = None
    # When the Philomena Protocol profile (part 1) was last recorded; None: not yet completed.
    profile_recorded_at: UtcDatetime | None = None


def handover_summary(state: PlacementState, now: datetime, policy: Policy) -> HandoverSummary:
    now = utc(now)
    deadlines = due(state, now, policy)
    episode = state.open_episode()
    return HandoverSummary(
        placement_id=state.stream_id,
        as_at=now,
        status=state.status,
        risk_level=state.risk_level,
        risk_factors=state.risk_factors,
        open_deadlines=tuple(deadline for deadline in deadlines if not deadline.overdue),
        overdue_deadlines=tuple(deadline for deadline in deadlines if deadline.overdue),
        restrictions=state.restrictions,
        phone_held=None if state.facts is None else state.phone_held,
        missing=episode is not None and episode.kind is MissingKind.missing,
        away_without_authorisation=(
            episode is not None and episode.kind is MissingKind.away_without_authorisation
        ),
        missing_episode_id=None if episode is None else episode.episode_id,
        missing_since=None if episode is None else episode.reported_at,
        profile_recorded_at=(
            None if state.philomena_profile is None else state.philomena_profile.profile_recorded_at
        ),
    )
