"""The state of one placement, changed only by folding events over it.

The state is what a workflow carries across continue-as-new, so it is a frozen model that
round-trips through JSON, with tuples (kept sorted where order carries no meaning).
"""

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from workflows.domain.adoption_events import OverdueAtAdoption
from workflows.domain.common import Actor, RestrictionKind, RiskLevel, UtcDatetime
from workflows.domain.errors import DomainError
from workflows.domain.events import (
    BreakGlassOpened,
    DeadlineMissed,
    EndReason,
    EscalationAcknowledged,
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
    PolicyChanged,
    RiskAssessed,
    RiskLevelChanged,
    SocialWorkerVisited,
)
from workflows.domain.failed_notices import with_failed
from workflows.domain.ladders import with_step_raised
from workflows.domain.policy import SharedPolicy
from workflows.domain.protection_state import (
    ContactAssessment,
    MissingEpisode,
    PhilomenaProfile,
    Restriction,
    Visitor,
    protection_changes,
)
from workflows.domain.stream import ensure_next


class PlacementStatus(StrEnum):
    not_started = "not_started"
    open = "open"
    ended = "ended"


class AcknowledgedEscalation(BaseModel):
    """An escalation a manager took: who is dealing with it, and since when."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    deadline_id: str
    step_index: int
    acknowledged_by: Actor
    escalation_acknowledged_at: UtcDatetime


class PlacementState(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    stream_id: str
    version: int = Field(default=0, ge=0)
    status: PlacementStatus = PlacementStatus.not_started
    facts: PlacementFacts | None = None
    # The policy recorded at the start or by the latest change; None for a placement started
    # before the policy was recorded (its readers use the policy in force).
    policy: SharedPolicy | None = None

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
    # Reviews held before the placement was adopted whose dates are not recorded here (only
    # the latest is): they count towards which review is next.
    reviews_not_recorded: int = 0
    social_worker_visits: tuple[datetime, ...] = ()
    nrm_referred_at: datetime | None = None

    # (deadline_id, step_index) of every escalation step already raised, sorted.
    escalations_raised: tuple[tuple[str, int], ...] = ()
    deadlines_missed: tuple[str, ...] = ()
    # (deadline_id, step_index) of every step whose time passed before the placement was
    # adopted: never raised, and never raised later either. Sorted.
    passed_steps: tuple[tuple[str, int], ...] = ()
    # Every escalation a manager took, in the order they took them; each step once at most.
    escalations_acknowledged: tuple[AcknowledgedEscalation, ...] = ()
    observation_count: int = 0
    # Idempotency keys of notifications given up on, sorted.
    failed_notifications: tuple[str, ...] = ()

    # R5: every episode, in order; at most one open at a time.
    missing_episodes: tuple[MissingEpisode, ...] = ()
    # The Philomena Protocol profile, part 1, as last recorded; None until it is.
    philomena_profile: PhilomenaProfile | None = None
    # R17: the earliest concern (a return, suspicious activity) not yet answered by a risk
    # assessment; the next review is brought forward to soon after it.
    risk_review_requested_at: datetime | None = None
    # R2: counts only; what was asked and by whom stays in the events.
    enquiry_count: int = 0
    visitors: tuple[Visitor, ...] = ()
    visit_count: int = 0
    unverified_visit_attempts: int = 0
    # R11: set from the start event (the policy at arrival); only a written confirmation ends it.
    phone_held: bool = False
    phone_release_reference: str | None = None
    # R6, R12, R18: those in force, sorted by kind; at most one of each kind.
    restrictions: tuple[Restriction, ...] = ()
    restriction_review_sequence: int = 0
    # R10: every assessment asked for, in order.
    contact_assessments: tuple[ContactAssessment, ...] = ()
    family_contact_count: int = 0
    suspicious_activity_count: int = 0

    ended_at: datetime | None = None
    end_reason: EndReason | None = None

    def open_episode(self) -> MissingEpisode | None:
        return next((episode for episode in self.missing_episodes if episode.open), None)

    def episode(self, episode_id: str) -> MissingEpisode | None:
        return next((e for e in self.missing_episodes if e.episode_id == episode_id), None)

    def visitor(self, visitor_reference: str) -> Visitor | None:
        wanted = visitor_reference.casefold()
        return next((v for v in self.visitors if v.visitor_reference.casefold() == wanted), None)

    def restriction(self, kind: RestrictionKind) -> Restriction | None:
        return next((r for r in self.restrictions if r.kind is kind), None)

    def latest_contact_assessment(self, person_reference: str) -> ContactAssessment | None:
        wanted = person_reference.casefold()
        matching = [
            a for a in self.contact_assessments if a.contact_person_reference.casefold() == wanted
        ]
        return matching[-1] if matching else None

    def escalation_raised(self, deadline_id: str, step_index: int) -> bool:
        return (deadline_id, step_index) in self.escalations_raised

    def step_behind(self, deadline_id: str, step_index: int) -> bool:
        """Whether the ladder has moved past this step: raised, or passed at adoption."""
        step = (deadline_id, step_index)
        return step in self.escalations_raised or step in self.passed_steps

    @property
    def reviews_counted(self) -> int:
        """How many looked-after reviews have been held, those before adoption included."""
        return len(self.reviews_held) + self.reviews_not_recorded

    def escalation_acknowledgement(
        self, deadline_id: str, step_index: int
    ) -> AcknowledgedEscalation | None:
        """Who took the escalation of this deadline and step, if anyone has."""
        return next(
            (
                taken
                for taken in self.escalations_acknowledged
                if (taken.deadline_id, taken.step_index) == (deadline_id, step_index)
            ),
            None,
        )

    def deadline_missed(self, deadline_id: str) -> bool:
        return deadline_id in self.deadlines_missed


def initial_state(stream_id: str) -> PlacementState:
    return PlacementState(stream_id=stream_id)


def evolve(state: PlacementState, event: PlacementEvent) -> PlacementState:
    """The state after `event`; `state` itself is never changed."""
    ensure_next(state, event, label="placement ")
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
                "phone_held": event.phone_held,
                "policy": event.policy,
            }
        case PolicyChanged():
            return {"policy": event.policy}
        case InterpreterRequested():
            return {"interpreter_requested_at": event.occurred_at}
        case LeafletDelivered():
            return {"leaflet_delivered_at": event.delivered_at}
        case MissingProceduresExplained():
            return {"missing_procedures_explained_at": event.explained_at}
        case RiskAssessed():
            requested = state.risk_review_requested_at
            return {
                "risk_review_requested_at": (
                    None if requested is None or event.assessed_at >= requested else requested
                ),
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
            earlier = 0 if event.number is None else event.number - 1 - state.reviews_counted
            return {
                "reviews_held": (*state.reviews_held, event.held_at),
                "reviews_not_recorded": state.reviews_not_recorded + max(earlier, 0),
            }
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
            return {"escalations_raised": with_step_raised(state.escalations_raised, event)}
        case EscalationAcknowledged():
            taken = AcknowledgedEscalation(
                deadline_id=event.deadline_id,
                step_index=event.step_index,
                acknowledged_by=event.actor,
                escalation_acknowledged_at=event.occurred_at,
            )
            return {"escalations_acknowledged": (*state.escalations_acknowledged, taken)}
        case NotificationFailed():
            return {"failed_notifications": with_failed(state.failed_notifications, event)}
        case PlacementEnded():
            return {
                "status": PlacementStatus.ended,
                "ended_at": event.ended_at,
                "end_reason": event.reason,
            }
        case OverdueAtAdoption():
            overdue = (deadline.deadline_id for deadline in event.overdue_deadlines)
            return {
                "deadlines_missed": tuple(sorted({*state.deadlines_missed, *overdue})),
                "passed_steps": tuple(sorted({*state.passed_steps, *event.passed_steps})),
            }
        case BreakGlassOpened():
            return {}  # the grant itself is kept by the service layer, beside the access log
        case _:
            return protection_changes(state, event)


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
