"""The state of one placement, changed only by folding events over it.

The state is what a workflow carries across continue-as-new, so it is a frozen model that
round-trips through JSON, with tuples (kept sorted where order carries no meaning).
"""

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from workflows.domain.common import (
    ContactOutcome,
    MissingKind,
    PoliceRiskGrade,
    RestrictionKind,
    RiskLevel,
    Role,
)
from workflows.domain.errors import DomainError, EventOutOfOrder
from workflows.domain.events import (
    ChildReturned,
    ContactAssessed,
    ContactAssessmentRequested,
    DeadlineMissed,
    EndReason,
    EnquiryRecorded,
    EscalationRaised,
    FamilyContactRecorded,
    InterpreterRequested,
    LeafletDelivered,
    LookedAfterReviewHeld,
    MissingProceduresExplained,
    MissingReported,
    NotificationFailed,
    NrmReferralMade,
    ObservationRecorded,
    PhoneReleaseConfirmed,
    PlacementEnded,
    PlacementEvent,
    PlacementFacts,
    PlacementStarted,
    PlanningMeetingHeld,
    RestrictionImposed,
    RestrictionLifted,
    RestrictionRenewed,
    ReturnInterviewHeld,
    RiskAssessed,
    RiskLevelChanged,
    SocialWorkerVisited,
    SuspiciousActivityRecorded,
    UnverifiedVisitAttempted,
    VisitorProposed,
    VisitorVerified,
    VisitRecorded,
)


class PlacementStatus(StrEnum):
    not_started = "not_started"
    open = "open"
    ended = "ended"


class MissingEpisode(BaseModel):
    """One episode as the state keeps it: times and grades only. Where the child was last seen
    or found stays in the events (the audit trail), so no query can show it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    number: int = Field(ge=1)
    episode_id: str
    kind: MissingKind
    reported_at: datetime
    last_seen_at: datetime
    police_risk_grade: PoliceRiskGrade | None = None
    returned_at: datetime | None = None
    return_interview_held_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.returned_at is None


class Visitor(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    visitor_reference: str
    stated_relationship: str
    proposed_at: datetime
    verified_at: datetime | None = None

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


class Restriction(BaseModel):
    """A restriction in force. Each imposition or renewal numbers its review clock anew
    ("restriction_review:4"), so escalations of an earlier review never count for this one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: RestrictionKind
    reason: str
    starts_at: datetime
    review_by: datetime
    imposed_by: Role
    review_number: int = Field(ge=1)
    contact_person_references: tuple[str, ...] = ()


class ContactAssessment(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    number: int = Field(ge=1)
    contact_person_reference: str
    relationship: str
    requested_at: datetime
    outcome: ContactOutcome | None = None
    assessed_at: datetime | None = None


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

    # R5: every episode, in order; at most one open at a time.
    missing_episodes: tuple[MissingEpisode, ...] = ()
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
                "phone_held": event.phone_held,
            }
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
        case (
            MissingReported()
            | ChildReturned()
            | ReturnInterviewHeld()
            | EnquiryRecorded()
            | VisitorProposed()
            | VisitorVerified()
            | VisitRecorded()
            | UnverifiedVisitAttempted()
        ):
            return _missing_and_visitor_changes(state, event)
        case (
            PhoneReleaseConfirmed()
            | RestrictionImposed()
            | RestrictionRenewed()
            | RestrictionLifted()
            | ContactAssessmentRequested()
            | ContactAssessed()
            | FamilyContactRecorded()
            | SuspiciousActivityRecorded()
        ):
            return _restriction_changes(state, event)


def _risk_review_requested(state: PlacementState, at: datetime) -> datetime:
    """The earliest open concern: a later one never pushes the brought-forward review back."""
    current = state.risk_review_requested_at
    return at if current is None else min(current, at)


def _replace_episode(state: PlacementState, episode_id: str, **changes: object) -> object:
    return tuple(
        episode.model_copy(update=changes) if episode.episode_id == episode_id else episode
        for episode in state.missing_episodes
    )


def _missing_and_visitor_changes(
    state: PlacementState,
    event: MissingReported
    | ChildReturned
    | ReturnInterviewHeld
    | EnquiryRecorded
    | VisitorProposed
    | VisitorVerified
    | VisitRecorded
    | UnverifiedVisitAttempted,
) -> dict[str, object]:
    match event:
        case MissingReported():
            episode = MissingEpisode(
                number=len(state.missing_episodes) + 1,
                episode_id=event.episode_id,
                kind=event.kind,
                reported_at=event.occurred_at,
                last_seen_at=event.last_seen_at,
                police_risk_grade=event.police_risk_grade,
            )
            return {"missing_episodes": (*state.missing_episodes, episode)}
        case ChildReturned():
            return {
                "missing_episodes": _replace_episode(
                    state, event.episode_id, returned_at=event.returned_at
                ),
                "risk_review_requested_at": _risk_review_requested(state, event.occurred_at),
            }
        case ReturnInterviewHeld():
            return {
                "missing_episodes": _replace_episode(
                    state, event.episode_id, return_interview_held_at=event.held_at
                )
            }
        case EnquiryRecorded():
            return {"enquiry_count": state.enquiry_count + 1}
        case VisitorProposed():
            visitor = Visitor(
                visitor_reference=event.visitor_reference,
                stated_relationship=event.stated_relationship,
                proposed_at=event.occurred_at,
            )
            return {"visitors": (*state.visitors, visitor)}
        case VisitorVerified():
            wanted = event.visitor_reference.casefold()
            return {
                "visitors": tuple(
                    v.model_copy(update={"verified_at": event.interviewed_at})
                    if v.visitor_reference.casefold() == wanted
                    else v
                    for v in state.visitors
                )
            }
        case VisitRecorded():
            return {"visit_count": state.visit_count + 1}
        case UnverifiedVisitAttempted():
            return {"unverified_visit_attempts": state.unverified_visit_attempts + 1}


def _restriction_changes(
    state: PlacementState,
    event: PhoneReleaseConfirmed
    | RestrictionImposed
    | RestrictionRenewed
    | RestrictionLifted
    | ContactAssessmentRequested
    | ContactAssessed
    | FamilyContactRecorded
    | SuspiciousActivityRecorded,
) -> dict[str, object]:
    match event:
        case PhoneReleaseConfirmed():
            return {"phone_held": False, "phone_release_reference": event.confirmation_reference}
        case RestrictionImposed():
            number = state.restriction_review_sequence + 1
            restriction = Restriction(
                kind=event.kind,
                reason=event.reason,
                starts_at=event.starts_at,
                review_by=event.review_by,
                imposed_by=event.actor.role,
                review_number=number,
                contact_person_references=event.contact_person_references,
            )
            others = [r for r in state.restrictions if r.kind is not event.kind]
            return {
                "restrictions": tuple(sorted([*others, restriction], key=lambda r: r.kind.value)),
                "restriction_review_sequence": number,
            }
        case RestrictionRenewed():
            number = state.restriction_review_sequence + 1
            renewed = {
                "reason": event.reason,
                "review_by": event.review_by,
                "review_number": number,
            }
            return {
                "restrictions": tuple(
                    r.model_copy(update=renewed) if r.kind is event.kind else r
                    for r in state.restrictions
                ),
                "restriction_review_sequence": number,
            }
        case RestrictionLifted():
            return {
                "restrictions": tuple(r for r in state.restrictions if r.kind is not event.kind)
            }
        case ContactAssessmentRequested():
            assessment = ContactAssessment(
                number=len(state.contact_assessments) + 1,
                contact_person_reference=event.contact_person_reference,
                relationship=event.relationship,
                requested_at=event.occurred_at,
            )
            return {"contact_assessments": (*state.contact_assessments, assessment)}
        case ContactAssessed():
            latest = state.latest_contact_assessment(event.contact_person_reference)
            assessed_number = None if latest is None else latest.number
            outcome = {"outcome": event.outcome, "assessed_at": event.assessed_at}
            return {
                "contact_assessments": tuple(
                    a.model_copy(update=outcome) if a.number == assessed_number else a
                    for a in state.contact_assessments
                )
            }
        case FamilyContactRecorded():
            return {"family_contact_count": state.family_contact_count + 1}
        case SuspiciousActivityRecorded():
            return {
                "suspicious_activity_count": state.suspicious_activity_count + 1,
                "risk_review_requested_at": _risk_review_requested(state, event.occurred_at),
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
