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


class EpisodeEventBase(StreamEvent):
    """An event of one missing episode."""

    episode_id: NonEmptyText


class MissingReported(EpisodeEventBase):
    """The child was reported missing (or away without authorisation): the Missing Children
    Procedures start at once. Carries the Missing Children's Proforma and Philomena Protocol
    part 2 facts (last seen, clothing) for the police."""

    type: Literal["missing_reported"] = "missing_reported"
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


class PhilomenaProfileRecorded(StreamEvent):
    """The Philomena Protocol profile, part 1: what the police need to know the child by if
    they go missing (a description, and references to photographs, clothing, known associates
    and places). The latest replaces the one before; each stays in the audit trail. For the
    unit's own staff and the police's notice only (``safeside.need_to_know``)."""

    type: Literal["philomena_profile_recorded"] = "philomena_profile_recorded"
    physical_description: ShortText
    photograph_references: tuple[Reference, ...] = ()
    clothing_references: tuple[Reference, ...] = ()
    known_associate_references: tuple[Reference, ...] = ()
    known_place_references: tuple[Reference, ...] = ()


class ChildReturned(EpisodeEventBase):
    """The open episode ended: the Return Home Interview is now due, and a risk review."""

    type: Literal["child_returned"] = "child_returned"
    returned_at: UtcDatetime
    found_by_reference: Reference
    where_found_reference: Reference


class ReturnInterviewHeld(EpisodeEventBase):
    type: Literal["return_interview_held"] = "return_interview_held"
    held_at: UtcDatetime
    interviewer_reference: Reference
    child_views: NonEmptyText


class PoliceAcknowledged(EpisodeEventBase):
    """The police acknowledged the missing episode and gave their crime or CAD reference: a
    Duty Manager can see that the police know, and quote their reference."""

    type: Literal["police_acknowledged"] = "police_acknowledged"
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


class VisitorEventBase(StreamEvent):
    """An event about one visitor, by reference."""

    visitor_reference: Reference


class VisitorProposed(VisitorEventBase):
    type: Literal["visitor_proposed"] = "visitor_proposed"
    stated_relationship: NonEmptyText


class VisitorVerified(VisitorEventBase):
    """The social worker (the actor) interviewed the visitor and established identity and
    relationship, with police or immigration checks where they were needed."""

    type: Literal["visitor_verified"] = "visitor_verified"
    interviewed_at: UtcDatetime
    police_check_reference: Reference | None = None
    immigration_check_reference: Reference | None = None


class VisitRecorded(VisitorEventBase):
    type: Literal["visit_recorded"] = "visit_recorded"
    visited_at: UtcDatetime


class UnverifiedVisitAttempted(VisitorEventBase):
    """Someone not verified by the social worker came to visit and was turned away."""

    type: Literal["unverified_visit_attempted"] = "unverified_visit_attempted"
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


class RestrictionEventBase(StreamEvent):
    """An event of one kind of restriction, with the reason for it."""

    kind: RestrictionKind
    reason: NonEmptyText


class RestrictionImposed(RestrictionEventBase):
    type: Literal["restriction_imposed"] = "restriction_imposed"
    starts_at: UtcDatetime
    review_by: UtcDatetime
    # Contact restrictions only: the people contact with whom is restricted; empty for all.
    contact_person_references: tuple[Reference, ...] = ()


class RestrictionRenewed(RestrictionEventBase):
    """Reviewed and kept, with a new review date."""

    type: Literal["restriction_renewed"] = "restriction_renewed"
    review_by: UtcDatetime


class RestrictionLifted(RestrictionEventBase):
    type: Literal["restriction_lifted"] = "restriction_lifted"
    lifted_at: UtcDatetime


class ContactEventBase(StreamEvent):
    """An event about contact with one family member or friend, by reference."""

    contact_person_reference: Reference


class ContactAssessmentRequested(ContactEventBase):
    type: Literal["contact_assessment_requested"] = "contact_assessment_requested"
    relationship: NonEmptyText


class ContactAssessed(ContactEventBase):
    type: Literal["contact_assessed"] = "contact_assessed"
    outcome: ContactOutcome
    assessed_at: UtcDatetime
    assessment_reference: Reference


class FamilyContactRecorded(ContactEventBase):
    type: Literal["family_contact_recorded"] = "family_contact_recorded"
    means: FamilyContactMeans
    contact_at: UtcDatetime


class SuspiciousActivityRecorded(StreamEvent):
    """R7: something unusual (a waiting car, a phone enquiry): the Duty Manager is told at once
    and the next risk review is brought forward."""

    type: Literal["suspicious_activity_recorded"] = "suspicious_activity_recorded"
    category: SuspiciousActivityCategory
    note_reference_or_text: ShortText
    observed_at: UtcDatetime


MissingEvent = (
    MissingReported
    | PhilomenaProfileRecorded
    | ChildReturned
    | ReturnInterviewHeld
    | PoliceAcknowledged
)
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
