"""Events: what happened to a placement, in the past tense.

The care plan's events and the clock's are here; a child's protection (missing, visitors,
restrictions) has its own module. `PlacementEvent` holds them all, and `PLACEMENT_EVENTS`
stores them (see `stream.EventCatalog`): when an event's shape changes, bump its
`schema_version` default and add an upcaster below so old rows are read as the new shape.
"""

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from workflows.domain.adoption_events import OverdueAtAdoption
from workflows.domain.common import (
    DeadlineKind,
    NonEmptyText,
    OpaqueId,
    Ordinal,
    Reference,
    RiskLevel,
    Role,
    ShortText,
    UtcDatetime,
)
from workflows.domain.ladders import LadderStepRaised
from workflows.domain.policy import SharedPolicy
from workflows.domain.protection_events import MissingEvent, RestrictionEvent, VisitorEvent
from workflows.domain.stream import EventCatalog, Payload, StreamEvent

EndReason = Literal["moved", "discharged", "turned_18"]


class AgeAssessment(StrEnum):
    """Where the local authority's age assessment (a "Merton-compliant" one) stands, for a
    child whose age is in doubt: common for unaccompanied children."""

    not_needed = "not_needed"
    pending = "pending"
    in_progress = "in_progress"
    completed = "completed"


class PlacementFacts(BaseModel):
    """Start facts. Opaque ids, and of the child's identity only the date of birth (with
    whether the age is disputed): the rest of it lives in the case file, not here."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    placement_id: OpaqueId
    case_reference: Reference
    unit_id: OpaqueId
    first_language: NonEmptyText
    looked_after_since: date
    arrived_at: UtcDatetime
    # The name of the council that placed the child: an organisation, not personal data.
    placing_authority: NonEmptyText
    social_worker_reference: Reference
    initial_risk_level: RiskLevel
    ukvi_relevant: bool
    # R1: whether the child needs an interpreter; not given, yes unless the first language is
    # English (a record made before this was asked is read the same way).
    needs_interpreter: bool | None = None
    # The child's identity, held carefully: identifying (``safeside.need_to_know``), encrypted
    # in Temporal like every payload, never in a log line, an id, a metric or an error. None
    # when not known, and on a record made before it was asked. The SSDA903 return needs it.
    date_of_birth: date | None = None
    age_disputed: bool = False
    age_assessment: AgeAssessment = AgeAssessment.not_needed

    @property
    def interpreter_needed(self) -> bool:
        if self.needs_interpreter is not None:
            return self.needs_interpreter
        return self.first_language.strip().casefold() not in ENGLISH


# How a first language of English is written; anything else is taken to need an interpreter.
ENGLISH = frozenset({"english", "en", "eng"})


class PlacementStarted(StreamEvent, PlacementFacts):
    type: Literal["placement_started"] = "placement_started"
    schema_version: int = Field(default=2, ge=1)
    # R11: whether the phone was taken for safe keeping on arrival (the policy at the time).
    phone_held: bool = True
    # The policy the placement runs under, so every read computes due times from the one the
    # workflow uses. None on a record made before the policy was recorded: read as unknown,
    # and the reader falls back to the policy in force.
    policy: SharedPolicy | None = None


class PolicyChanged(StreamEvent):
    """The placement runs under a different policy from now on (its clocks are recomputed)."""

    type: Literal["policy_changed"] = "policy_changed"
    policy: SharedPolicy


class InterpreterRequested(StreamEvent):
    type: Literal["interpreter_requested"] = "interpreter_requested"
    language: NonEmptyText


class LeafletDelivered(StreamEvent):
    type: Literal["leaflet_delivered"] = "leaflet_delivered"
    language: NonEmptyText
    # None only when the child needed no interpreter (``interpreter_needed`` says which).
    interpreter_reference: Reference | None
    child_understanding: NonEmptyText
    delivered_at: UtcDatetime
    interpreter_needed: bool = True


class MissingProceduresExplained(StreamEvent):
    type: Literal["missing_procedures_explained"] = "missing_procedures_explained"
    explained_at: UtcDatetime
    interpreter_reference: Reference | None = None
    interpreter_needed: bool = True


class RiskAssessed(StreamEvent):
    type: Literal["risk_assessed"] = "risk_assessed"
    level: RiskLevel
    factors: tuple[NonEmptyText, ...] = Field(min_length=1)
    child_participated: bool
    child_views: NonEmptyText
    assessed_at: UtcDatetime


class PlanningMeetingHeld(StreamEvent):
    type: Literal["planning_meeting_held"] = "planning_meeting_held"
    held_at: UtcDatetime
    young_person_present: bool
    absence_reason: NonEmptyText | None = None
    child_views: NonEmptyText


class LookedAfterReviewHeld(StreamEvent):
    type: Literal["looked_after_review_held"] = "looked_after_review_held"
    held_at: UtcDatetime
    chaired_by_iro_reference: Reference
    child_views: NonEmptyText
    # Which review this was (1 for the first), given only when the earlier ones are not
    # recorded here: a placement adopted after several reviews records the latest alone.
    number: int | None = Field(default=None, ge=1, exclude_if=lambda number: number is None)


class SocialWorkerVisited(StreamEvent):
    type: Literal["social_worker_visited"] = "social_worker_visited"
    visited_at: UtcDatetime
    social_worker_reference: Reference
    child_seen_alone: bool


class NrmReferralMade(StreamEvent):
    type: Literal["nrm_referral_made"] = "nrm_referral_made"
    referred_at: UtcDatetime
    referral_reference: Reference


class RiskLevelChanged(StreamEvent):
    type: Literal["risk_level_changed"] = "risk_level_changed"
    from_level: RiskLevel
    to_level: RiskLevel
    reason: NonEmptyText


class ObservationRecorded(StreamEvent):
    type: Literal["observation_recorded"] = "observation_recorded"
    category: NonEmptyText
    note_reference_or_text: ShortText
    observed_at: UtcDatetime


class DeadlineMissed(StreamEvent):
    type: Literal["deadline_missed"] = "deadline_missed"
    deadline_id: NonEmptyText
    kind: DeadlineKind
    due_at: UtcDatetime


class EscalationRaised(LadderStepRaised):
    type: Literal["escalation_raised"] = "escalation_raised"
    kind: DeadlineKind


class EscalationAcknowledged(StreamEvent):
    """A manager (the actor) is dealing with the escalation raised for this deadline and step,
    from `occurred_at` on."""

    type: Literal["escalation_acknowledged"] = "escalation_acknowledged"
    deadline_id: NonEmptyText
    step_index: int = Field(ge=0)


class NotificationFailed(StreamEvent):
    """A notification owed to a role could not be delivered after every retry (R3): it is
    shown as failed and the Duty Manager is told, so nobody assumes it went out."""

    type: Literal["notification_failed"] = "notification_failed"
    idempotency_key: NonEmptyText
    recipient: Role
    purpose: NonEmptyText
    about_version: Ordinal


class PlacementEnded(StreamEvent):
    type: Literal["placement_ended"] = "placement_ended"
    reason: EndReason
    ended_at: UtcDatetime


class BreakGlassOpened(StreamEvent):
    """Someone outside the child's relationship opened their record, for a reason, until a
    time: in the audit trail, and told to the child's Registered Manager."""

    type: Literal["break_glass_opened"] = "break_glass_opened"
    reason: NonEmptyText
    until: UtcDatetime


PlacementEvent = Annotated[
    PlacementStarted
    | InterpreterRequested
    | LeafletDelivered
    | MissingProceduresExplained
    | RiskAssessed
    | PlanningMeetingHeld
    | LookedAfterReviewHeld
    | SocialWorkerVisited
    | NrmReferralMade
    | RiskLevelChanged
    | ObservationRecorded
    | DeadlineMissed
    | EscalationRaised
    | EscalationAcknowledged
    | NotificationFailed
    | PlacementEnded
    | BreakGlassOpened
    | PolicyChanged
    | OverdueAtAdoption
    | MissingEvent
    | VisitorEvent
    | RestrictionEvent,
    Field(discriminator="type"),
]


def _phone_held_from_arrival(payload: Payload) -> Payload:
    # Before R11 was modelled every placement followed the seed's default: phone held.
    return payload | {"phone_held": True}


# Upcasters: (type name, schema version it reads) -> the function giving the next version.
PLACEMENT_EVENTS: EventCatalog[PlacementEvent] = EventCatalog(
    PlacementEvent,
    what="event",
    upcasters={("placement_started", 1): _phone_held_from_arrival},
)
event_to_stored = PLACEMENT_EVENTS.to_stored
event_from_stored = PLACEMENT_EVENTS.from_stored
