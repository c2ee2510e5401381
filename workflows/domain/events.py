"""Events: what happened to a placement, in the past tense.

Each event is stored under its stable `type` name and a `schema_version`, never under a
Python import path, so classes can be renamed or moved without breaking 75 years of rows.
When an event's shape changes, bump its `schema_version` default and add an upcaster to
`_UPCASTERS` so old rows are read as the new shape.
"""

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter

from workflows.domain.common import (
    Actor,
    ContactOutcome,
    DeadlineKind,
    EnquiryChannel,
    MissingKind,
    NonEmptyText,
    OpaqueId,
    PoliceRiskGrade,
    Reference,
    RestrictionKind,
    RiskLevel,
    Role,
    UtcDatetime,
)
from workflows.domain.errors import DomainError

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
EndReason = Literal["moved", "discharged", "turned_18"]
SuspiciousActivityCategory = Literal[
    "waiting_car", "phone_enquiry", "person_outside", "online_contact", "other"
]
FamilyContactMeans = Literal["phone", "video_call", "supervised_meeting"]


class PlacementFacts(BaseModel):
    """Start facts. Only opaque ids: the child's identity lives in the case file, not here."""

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


class EventBase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    stream_id: OpaqueId
    version: int = Field(ge=1)
    occurred_at: UtcDatetime
    actor: Actor
    schema_version: int = Field(default=1, ge=1)


class PlacementStarted(EventBase, PlacementFacts):
    type: Literal["placement_started"] = "placement_started"
    schema_version: int = Field(default=2, ge=1)
    # R11: whether the phone was taken for safe keeping on arrival (the policy at the time).
    phone_held: bool = True


class InterpreterRequested(EventBase):
    type: Literal["interpreter_requested"] = "interpreter_requested"
    language: NonEmptyText


class LeafletDelivered(EventBase):
    type: Literal["leaflet_delivered"] = "leaflet_delivered"
    language: NonEmptyText
    interpreter_reference: Reference
    child_understanding: NonEmptyText
    delivered_at: UtcDatetime


class MissingProceduresExplained(EventBase):
    type: Literal["missing_procedures_explained"] = "missing_procedures_explained"
    explained_at: UtcDatetime
    interpreter_reference: Reference | None = None


class RiskAssessed(EventBase):
    type: Literal["risk_assessed"] = "risk_assessed"
    level: RiskLevel
    factors: tuple[NonEmptyText, ...] = Field(min_length=1)
    child_participated: bool
    child_views: NonEmptyText
    assessed_at: UtcDatetime


class PlanningMeetingHeld(EventBase):
    type: Literal["planning_meeting_held"] = "planning_meeting_held"
    held_at: UtcDatetime
    young_person_present: bool
    absence_reason: NonEmptyText | None = None
    child_views: NonEmptyText


class LookedAfterReviewHeld(EventBase):
    type: Literal["looked_after_review_held"] = "looked_after_review_held"
    held_at: UtcDatetime
    chaired_by_iro_reference: Reference
    child_views: NonEmptyText


class SocialWorkerVisited(EventBase):
    type: Literal["social_worker_visited"] = "social_worker_visited"
    visited_at: UtcDatetime
    social_worker_reference: Reference
    child_seen_alone: bool


class NrmReferralMade(EventBase):
    type: Literal["nrm_referral_made"] = "nrm_referral_made"
    referred_at: UtcDatetime
    referral_reference: Reference


class RiskLevelChanged(EventBase):
    type: Literal["risk_level_changed"] = "risk_level_changed"
    from_level: RiskLevel
    to_level: RiskLevel
    reason: NonEmptyText


class ObservationRecorded(EventBase):
    type: Literal["observation_recorded"] = "observation_recorded"
    category: NonEmptyText
    note_reference_or_text: ShortText
    observed_at: UtcDatetime


class DeadlineMissed(EventBase):
    type: Literal["deadline_missed"] = "deadline_missed"
    deadline_id: NonEmptyText
    kind: DeadlineKind
    due_at: UtcDatetime


class EscalationRaised(EventBase):
    type: Literal["escalation_raised"] = "escalation_raised"
    deadline_id: NonEmptyText
    kind: DeadlineKind
    step_index: int = Field(ge=0)
    step_name: NonEmptyText
    # Already resolved from "responsible" to a concrete role when the event was decided,
    # so reading the event never needs the policy that was in force at the time.
    notify_role: Role
    due_at: UtcDatetime


class NotificationFailed(EventBase):
    """A notification owed to a role could not be delivered after every retry (R3): it is
    shown as failed and the Duty Manager is told, so nobody assumes it went out."""

    type: Literal["notification_failed"] = "notification_failed"
    idempotency_key: NonEmptyText
    recipient: Role
    purpose: NonEmptyText
    about_version: int = Field(ge=1)


class PlacementEnded(EventBase):
    type: Literal["placement_ended"] = "placement_ended"
    reason: EndReason
    ended_at: UtcDatetime


# -- Missing from care (R4, R5) ----------------------------------------------------------------
# The place and circumstances fields are in LOCATION_FIELDS: kept in the audit trail and
# shared with the police only, never folded into the state.


class MissingReported(EventBase):
    """The child was reported missing (or away without authorisation): the Missing Children
    Procedures start at once. Carries the Missing Children's Proforma and Philomena Protocol
    part 2 facts (last seen, clothing) for the police."""

    type: Literal["missing_reported"] = "missing_reported"
    episode_id: NonEmptyText
    kind: MissingKind
    last_seen_at: UtcDatetime
    last_seen_place_reference: Reference
    circumstances: ShortText
    police_risk_grade: PoliceRiskGrade | None = None
    clothing_reference: Reference | None = None
    description_reference: Reference | None = None
    known_whereabouts_reference: Reference | None = None
    # The unit check that started the report, when the unit did (R4).
    unit_check_reference: Reference | None = None


class ChildReturned(EventBase):
    """The open episode ended: the Return Home Interview is now due, and a risk review."""

    type: Literal["child_returned"] = "child_returned"
    episode_id: NonEmptyText
    returned_at: UtcDatetime
    found_by_reference: Reference
    where_found_reference: Reference


class ReturnInterviewHeld(EventBase):
    type: Literal["return_interview_held"] = "return_interview_held"
    episode_id: NonEmptyText
    held_at: UtcDatetime
    interviewer_reference: Reference
    child_views: NonEmptyText


# -- Location and visitors (R2) ----------------------------------------------------------------


class EnquiryRecorded(EventBase):
    """Someone asked about the child. There is deliberately no answer field: the location is
    never given to an enquirer (reg 13(3)); the Duty Manager decides what happens next."""

    type: Literal["enquiry_recorded"] = "enquiry_recorded"
    channel: EnquiryChannel
    enquirer_reference: Reference
    question: ShortText
    received_at: UtcDatetime


class VisitorProposed(EventBase):
    type: Literal["visitor_proposed"] = "visitor_proposed"
    visitor_reference: Reference
    stated_relationship: NonEmptyText


class VisitorVerified(EventBase):
    """The social worker (the actor) interviewed the visitor and established identity and
    relationship, with police or immigration checks where they were needed."""

    type: Literal["visitor_verified"] = "visitor_verified"
    visitor_reference: Reference
    interviewed_at: UtcDatetime
    police_check_reference: Reference | None = None
    immigration_check_reference: Reference | None = None


class VisitRecorded(EventBase):
    type: Literal["visit_recorded"] = "visit_recorded"
    visitor_reference: Reference
    visited_at: UtcDatetime


class UnverifiedVisitAttempted(EventBase):
    """Someone not verified by the social worker came to visit and was turned away."""

    type: Literal["unverified_visit_attempted"] = "unverified_visit_attempted"
    visitor_reference: Reference
    attempted_at: UtcDatetime
    # False when the visitor had never been proposed: a stranger asking for the child.
    visitor_was_proposed: bool


# -- Restrictions (R6, R10, R11, R12, R18) -----------------------------------------------------


class PhoneReleaseConfirmed(EventBase):
    """R11: the social worker (the actor) confirmed in writing that the phone risks are
    reduced; the phone may be given back."""

    type: Literal["phone_release_confirmed"] = "phone_release_confirmed"
    confirmation_reference: Reference
    confirmed_at: UtcDatetime


class RestrictionImposed(EventBase):
    type: Literal["restriction_imposed"] = "restriction_imposed"
    kind: RestrictionKind
    reason: NonEmptyText
    starts_at: UtcDatetime
    review_by: UtcDatetime
    # Contact restrictions only: the people contact with whom is restricted; empty for all.
    contact_person_references: tuple[Reference, ...] = ()


class RestrictionRenewed(EventBase):
    """Reviewed and kept, with a new review date."""

    type: Literal["restriction_renewed"] = "restriction_renewed"
    kind: RestrictionKind
    reason: NonEmptyText
    review_by: UtcDatetime


class RestrictionLifted(EventBase):
    type: Literal["restriction_lifted"] = "restriction_lifted"
    kind: RestrictionKind
    reason: NonEmptyText
    lifted_at: UtcDatetime


class ContactAssessmentRequested(EventBase):
    type: Literal["contact_assessment_requested"] = "contact_assessment_requested"
    contact_person_reference: Reference
    relationship: NonEmptyText


class ContactAssessed(EventBase):
    type: Literal["contact_assessed"] = "contact_assessed"
    contact_person_reference: Reference
    outcome: ContactOutcome
    assessed_at: UtcDatetime
    assessment_reference: Reference


class FamilyContactRecorded(EventBase):
    type: Literal["family_contact_recorded"] = "family_contact_recorded"
    contact_person_reference: Reference
    means: FamilyContactMeans
    contact_at: UtcDatetime


class SuspiciousActivityRecorded(EventBase):
    """R7: something unusual (a waiting car, a phone enquiry): the Duty Manager is told at once
    and the next risk review is brought forward."""

    type: Literal["suspicious_activity_recorded"] = "suspicious_activity_recorded"
    category: SuspiciousActivityCategory
    note_reference_or_text: ShortText
    observed_at: UtcDatetime


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
    | NotificationFailed
    | PlacementEnded
    | MissingReported
    | ChildReturned
    | ReturnInterviewHeld
    | EnquiryRecorded
    | VisitorProposed
    | VisitorVerified
    | VisitRecorded
    | UnverifiedVisitAttempted
    | PhoneReleaseConfirmed
    | RestrictionImposed
    | RestrictionRenewed
    | RestrictionLifted
    | ContactAssessmentRequested
    | ContactAssessed
    | FamilyContactRecorded
    | SuspiciousActivityRecorded,
    Field(discriminator="type"),
]

placement_event_adapter: TypeAdapter[PlacementEvent] = TypeAdapter(PlacementEvent)

_EVENT_CLASSES: tuple[type[EventBase], ...] = (
    PlacementStarted,
    InterpreterRequested,
    LeafletDelivered,
    MissingProceduresExplained,
    RiskAssessed,
    PlanningMeetingHeld,
    LookedAfterReviewHeld,
    SocialWorkerVisited,
    NrmReferralMade,
    RiskLevelChanged,
    ObservationRecorded,
    DeadlineMissed,
    EscalationRaised,
    NotificationFailed,
    PlacementEnded,
    MissingReported,
    ChildReturned,
    ReturnInterviewHeld,
    EnquiryRecorded,
    VisitorProposed,
    VisitorVerified,
    VisitRecorded,
    UnverifiedVisitAttempted,
    PhoneReleaseConfirmed,
    RestrictionImposed,
    RestrictionRenewed,
    RestrictionLifted,
    ContactAssessmentRequested,
    ContactAssessed,
    FamilyContactRecorded,
    SuspiciousActivityRecorded,
)

CURRENT_SCHEMA_VERSIONS: dict[str, int] = {
    cls.model_fields["type"].default: cls.model_fields["schema_version"].default
    for cls in _EVENT_CLASSES
}

Payload = dict[str, Any]


# (type name, schema version it reads) -> function turning that shape into the next version.
def _phone_held_from_arrival(payload: Payload) -> Payload:
    # Before R11 was modelled every placement followed the seed's default: phone held.
    return payload | {"phone_held": True}


_UPCASTERS: dict[tuple[str, int], Callable[[Payload], Payload]] = {
    ("placement_started", 1): _phone_held_from_arrival,
}


def event_to_stored(event: PlacementEvent) -> tuple[str, int, Payload]:
    """The stable type name, schema version and a JSON-safe payload (without those two)."""
    payload = event.model_dump(mode="json", exclude={"type", "schema_version"})
    return event.type, event.schema_version, payload


def event_from_stored(type_name: str, schema_version: int, payload: Payload) -> PlacementEvent:
    """Read a stored event, upcasting older shapes to the current one."""
    current = CURRENT_SCHEMA_VERSIONS.get(type_name)
    if current is None:
        raise DomainError(f"a stored event has an unknown type {type_name!r}")
    if not 1 <= schema_version <= current:
        raise DomainError(
            f"a stored {type_name!r} event has schema version {schema_version}, "
            f"but this release reads versions 1 to {current}"
        )
    shape = dict(payload)
    for version in range(schema_version, current):
        shape = _UPCASTERS[(type_name, version)](shape)
    shape["type"] = type_name
    shape["schema_version"] = current
    return placement_event_adapter.validate_python(shape)
