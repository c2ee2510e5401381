"""Events of a child's protection, in the past tense: missing from care (R4, R5), location
and visitors (R2), and restrictions, contact and suspicious activity (R6, R7, R10, R11, R12,
R18). Part of the placement's stream: `events.PlacementEvent` holds them with the rest."""

from typing import Literal

from workflows.domain.common import (
    ContactOutcome,
    EnquiryChannel,
    MissingKind,
    NonEmptyText,
    PoliceRiskGrade,
    Reference,
    RestrictionKind,
    ShortText,
    UtcDatetime,
)
from workflows.domain.stream import StreamEvent

SuspiciousActivityCategory = Literal[
    "waiting_car", "phone_enquiry", "person_outside", "online_contact", "other"
]
FamilyContactMeans = Literal["phone", "video_call", "supervised_meeting"]


# -- Missing from care (R4, R5) ----------------------------------------------------------------
# The place and circumstances fields are in LOCATION_FIELDS: kept in the audit trail and
# shared with the police only, never folded into the state.


class MissingReported(StreamEvent):
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


class ChildReturned(StreamEvent):
    """The open episode ended: the Return Home Interview is now due, and a risk review."""

    type: Literal["child_returned"] = "child_returned"
    episode_id: NonEmptyText
    returned_at: UtcDatetime
    found_by_reference: Reference
    where_found_reference: Reference


class ReturnInterviewHeld(StreamEvent):
    type: Literal["return_interview_held"] = "return_interview_held"
    episode_id: NonEmptyText
    held_at: UtcDatetime
    interviewer_reference: Reference
    child_views: NonEmptyText


class PoliceAcknowledged(StreamEvent):
    """The police acknowledged the missing episode and gave their crime or CAD reference: a
    Duty Manager can see that the police know, and quote their reference."""

    type: Literal["police_acknowledged"] = "police_acknowledged"
    episode_id: NonEmptyText
    police_acknowledged_at: UtcDatetime
    police_reference: Reference


# -- Location and visitors (R2) ----------------------------------------------------------------


class EnquiryRecorded(StreamEvent):
    """Someone asked about the child. There is deliberately no answer field: the location is
    never given to an enquirer (reg 13(3)); the Duty Manager decides what happens next."""

    type: Literal["enquiry_recorded"] = "enquiry_recorded"
    channel: EnquiryChannel
    enquirer_reference: Reference
    question: ShortText
    received_at: UtcDatetime


class VisitorProposed(StreamEvent):
    type: Literal["visitor_proposed"] = "visitor_proposed"
    visitor_reference: Reference
    stated_relationship: NonEmptyText


class VisitorVerified(StreamEvent):
    """The social worker (the actor) interviewed the visitor and established identity and
    relationship, with police or immigration checks where they were needed."""

    type: Literal["visitor_verified"] = "visitor_verified"
    visitor_reference: Reference
    interviewed_at: UtcDatetime
    police_check_reference: Reference | None = None
    immigration_check_reference: Reference | None = None


class VisitRecorded(StreamEvent):
    type: Literal["visit_recorded"] = "visit_recorded"
    visitor_reference: Reference
    visited_at: UtcDatetime


class UnverifiedVisitAttempted(StreamEvent):
    """Someone not verified by the social worker came to visit and was turned away."""

    type: Literal["unverified_visit_attempted"] = "unverified_visit_attempted"
    visitor_reference: Reference
    attempted_at: UtcDatetime
    # False when the visitor had never been proposed: a stranger asking for the child.
    visitor_was_proposed: bool


# -- Restrictions (R6, R10, R11, R12, R18) -----------------------------------------------------


class PhoneReleaseConfirmed(StreamEvent):
    """R11: the social worker (the actor) confirmed in writing that the phone risks are
    reduced; the phone may be given back."""

    type: Literal["phone_release_confirmed"] = "phone_release_confirmed"
    confirmation_reference: Reference
    confirmed_at: UtcDatetime


class RestrictionImposed(StreamEvent):
    type: Literal["restriction_imposed"] = "restriction_imposed"
    kind: RestrictionKind
    reason: NonEmptyText
    starts_at: UtcDatetime
    review_by: UtcDatetime
    # Contact restrictions only: the people contact with whom is restricted; empty for all.
    contact_person_references: tuple[Reference, ...] = ()


class RestrictionRenewed(StreamEvent):
    """Reviewed and kept, with a new review date."""

    type: Literal["restriction_renewed"] = "restriction_renewed"
    kind: RestrictionKind
    reason: NonEmptyText
    review_by: UtcDatetime


class RestrictionLifted(StreamEvent):
    type: Literal["restriction_lifted"] = "restriction_lifted"
    kind: RestrictionKind
    reason: NonEmptyText
    lifted_at: UtcDatetime


class ContactAssessmentRequested(StreamEvent):
    type: Literal["contact_assessment_requested"] = "contact_assessment_requested"
    contact_person_reference: Reference
    relationship: NonEmptyText


class ContactAssessed(StreamEvent):
    type: Literal["contact_assessed"] = "contact_assessed"
    contact_person_reference: Reference
    outcome: ContactOutcome
    assessed_at: UtcDatetime
    assessment_reference: Reference


class FamilyContactRecorded(StreamEvent):
    type: Literal["family_contact_recorded"] = "family_contact_recorded"
    contact_person_reference: Reference
    means: FamilyContactMeans
    contact_at: UtcDatetime


class SuspiciousActivityRecorded(StreamEvent):
    """R7: something unusual (a waiting car, a phone enquiry): the Duty Manager is told at once
    and the next risk review is brought forward."""

    type: Literal["suspicious_activity_recorded"] = "suspicious_activity_recorded"
    category: SuspiciousActivityCategory
    note_reference_or_text: ShortText
    observed_at: UtcDatetime


MissingEvent = MissingReported | ChildReturned | ReturnInterviewHeld | PoliceAcknowledged
VisitorEvent = (
    EnquiryRecorded | VisitorProposed | VisitorVerified | VisitRecorded | UnverifiedVisitAttempted
)
RestrictionEvent = (
    PhoneReleaseConfirmed
    | RestrictionImposed
    | RestrictionRenewed
    | RestrictionLifted
    | ContactAssessmentRequested
    | ContactAssessed
    | FamilyContactRecorded
    | SuspiciousActivityRecorded
)
ProtectionEvent = MissingEvent | VisitorEvent | RestrictionEvent
