"""The state of one placement, changed only by folding events over it.

The state is what a workflow carries across continue-as-new, so it is a frozen model that
round-trips through JSON, with tuples (kept sorted where order carries no meaning).
"""

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from workflows.domain.common import RiskLevel
from workflows.domain.errors import DomainError, EventOutOfOrder
from workflows.domain.events import (
    DeadlineMissed,
    EndReason,
    EscalationRaised,
    InterpreterRequested,
    LeafletDelivered,
    LookedAfterReviewHeld,
    MissingProceduresExplained,
    NotificationFailed,
    NrmReferralMade,
    ObservationRecorded,
    PlacementEnded,
    PlacementEvent,
    PlacementFacts,
    PlacementStarted,
    PlanningMeetingHeld,
    RiskAssessed,
    RiskLevelChanged,
    SocialWorkerVisited,
)


class PlacementStatus(StrEnum):
    not_started = "not_started"
    open = "open"
    ended = "ended"


class PlacementState(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    stream_id: str
    version: int = Field(default=0, ge=0)
    status: PlacementStatus = PlacementStatus.not_started
    facts: PlacementFacts | None = None

    risk_level: RiskLevel | None = None
    risk_factors: tuple[str, ...] = ()
    # Counts every restart of the risk review clock (an assessment, or a level change once
    # assessed), so each restarted clock has a deadline id never used before ("risk_review:3").
    risk_review_sequence: int = 0
    first_assessed_at: datetime | None = None
    last_assessed_at: datetime | None = None
    risk_clock_started_at: datetime | None = None

    interpreter_requested_at: datetime | None = None
    leaflet_delivered_at: datetime | None = None
    missing_procedures_explained_at: datetime | None = None
    planning_meeting_held_at: datetime | None = None
    reviews_held: tuple[datetime, ...] = ()
    social_worker_visits: tuple[datetime, ...] = ()
    nrm_referred_at: datetime | None = None

    # (deadline_id, step_index) of every escalation step already raised, sorted.
    escalations_raised: tuple[tuple[str, int], ...] = ()
    deadlines_missed: tuple[str, ...] = ()
    observation_count: int = 0
    # Idempotency keys of notifications given up on, sorted.
    failed_notifications: tuple[str, ...] = ()

    ended_at: datetime | None = None
    end_reason: EndReason | None = None

    def escalation_raised(self, deadline_id: str, step_index: int) -> bool:
        return (deadline_id, step_index) in self.escalations_raised

    def deadline_missed(self, deadline_id: str) -> bool:
        return deadline_id in self.deadlines_missed


def initial_state(stream_id: str) -> PlacementState:
    return PlacementState(stream_id=stream_id)


def evolve(state: PlacementState, event: PlacementEvent) -> PlacementState:
    """The state after `event`; `state` itself is never changed."""
    if event.stream_id != state.stream_id:
        raise EventOutOfOrder(
            f"event {event.version} belongs to placement {event.stream_id}, "
            f"not to placement {state.stream_id}"
        )
    if event.version != state.version + 1:
        raise EventOutOfOrder(
            f"event {event.version} cannot follow version {state.version} "
            f"of placement {state.stream_id}"
        )
    # model_copy skips validation; every value below already has the field's type.
    return state.model_copy(update={"version": event.version, **_changes(state, event)})


def _changes(state: PlacementState, event: PlacementEvent) -> dict[str, object]:
    match event:
        case PlacementStarted():
            facts = PlacementFacts.model_validate(event.model_dump(include=_FACT_FIELDS))
            return {
                "status": PlacementStatus.open,
                "facts": facts,
                "risk_level": event.initial_risk_level,
            }
        case InterpreterRequested():
            return {"interpreter_requested_at": event.occurred_at}
        case LeafletDelivered():
            return {"leaflet_delivered_at": event.delivered_at}
        case MissingProceduresExplained():
            return {"missing_procedures_explained_at": event.explained_at}
        case RiskAssessed():
            return {
                "risk_level": event.level,
                "risk_factors": event.factors,
                "first_assessed_at": state.first_assessed_at or event.assessed_at,
                "last_assessed_at": event.assessed_at,
                "risk_clock_started_at": event.assessed_at,
                "risk_review_sequence": state.risk_review_sequence + 1,
            }
        case RiskLevelChanged():
            # Before the first assessment no review clock runs, so there is nothing to restart.
            restarts = 1 if state.first_assessed_at is not None else 0
            return {
                "risk_level": event.to_level,
                "risk_clock_started_at": event.occurred_at,
                "risk_review_sequence": state.risk_review_sequence + restarts,
            }
        case PlanningMeetingHeld():
            return {"planning_meeting_held_at": event.held_at}
        case LookedAfterReviewHeld():
            return {"reviews_held": (*state.reviews_held, event.held_at)}
        case SocialWorkerVisited():
            return {"social_worker_visits": (*state.social_worker_visits, event.visited_at)}
        case NrmReferralMade():
            return {"nrm_referred_at": event.referred_at}
        case ObservationRecorded():
            return {"observation_count": state.observation_count + 1}
        case DeadlineMissed():
            missed = sorted({*state.deadlines_missed, event.deadline_id})
            return {"deadlines_missed": tuple(missed)}
        case EscalationRaised():
            raised = sorted({*state.escalations_raised, (event.deadline_id, event.step_index)})
            return {"escalations_raised": tuple(raised)}
        case NotificationFailed():
            failed = sorted({*state.failed_notifications, event.idempotency_key})
            return {"failed_notifications": tuple(failed)}
        case PlacementEnded():
            return {
                "status": PlacementStatus.ended,
                "ended_at": event.ended_at,
                "end_reason": event.reason,
            }


_FACT_FIELDS = set(PlacementFacts.model_fields)


def fold(events: Iterable[PlacementEvent], state: PlacementState | None = None) -> PlacementState:
    """Replay `events` in order, from `state` or from the start of the first event's stream."""
    current = state
    for event in events:
        if current is None:
            current = initial_state(event.stream_id)
        current = evolve(current, event)
    if current is None:
        raise DomainError("there is nothing to rebuild: no events and no earlier state were given")
    return current
