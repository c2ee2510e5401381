"""Commands: what a person asks the system to record, in the imperative.

Commands carry only their shape here. Whether a command is acceptable (a missing
interpreter reference, a date in the future, the child's views left out) is decided in
`decide`, so every refusal reaches the worker as a DomainError in plain words.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from workflows.domain.common import (
    MAX_TEXT_LENGTH,
    Actor,
    ContactOutcome,
    EnquiryChannel,
    MissingKind,
    PoliceRiskGrade,
    RestrictionKind,
    RiskLevel,
    UtcDatetime,
)
from workflows.domain.events import EndReason, PlacementFacts
from workflows.domain.policy import Policy
from workflows.domain.protection_events import FamilyContactMeans, SuspiciousActivityCategory


class CommandBase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_max_length=MAX_TEXT_LENGTH)

    actor: Actor


class StartPlacement(CommandBase, PlacementFacts):
    type: Literal["start_placement"] = "start_placement"


class RecordLeafletDelivered(CommandBase):
    type: Literal["record_leaflet_delivered"] = "record_leaflet_delivered"
    language: str
    interpreter_reference: str | None = None
    child_understanding: str | None = None
    delivered_at: UtcDatetime


class RecordMissingProceduresExplained(CommandBase):
    type: Literal["record_missing_procedures_explained"] = "record_missing_procedures_explained"
    explained_at: UtcDatetime
    interpreter_reference: str | None = None


class RecordRiskAssessment(CommandBase):
    type: Literal["record_risk_assessment"] = "record_risk_assessment"
    level: RiskLevel
    factors: tuple[str, ...] = ()
    child_participated: bool
    child_views: str | None = None
    assessed_at: UtcDatetime


class RecordPlanningMeeting(CommandBase):
    type: Literal["record_planning_meeting"] = "record_planning_meeting"
    held_at: UtcDatetime
    young_person_present: bool
    absence_reason: str | None = None
    child_views: str | None = None


class RecordLookedAfterReview(CommandBase):
    type: Literal["record_looked_after_review"] = "record_looked_after_review"
    held_at: UtcDatetime
    chaired_by_iro_reference: str | None = None
    child_views: str | None = None


class RecordSocialWorkerVisit(CommandBase):
    type: Literal["record_social_worker_visit"] = "record_social_worker_visit"
    visited_at: UtcDatetime
    social_worker_reference: str | None = None
    child_seen_alone: bool


class RecordNrmReferral(CommandBase):
    type: Literal["record_nrm_referral"] = "record_nrm_referral"
    referred_at: UtcDatetime
    referral_reference: str | None = None


class ChangeRiskLevel(CommandBase):
    type: Literal["change_risk_level"] = "change_risk_level"
    to_level: RiskLevel
    reason: str | None = None


class RecordObservation(CommandBase):
    type: Literal["record_observation"] = "record_observation"
    category: str
    note_reference_or_text: str
    observed_at: UtcDatetime


class EndPlacement(CommandBase):
    type: Literal["end_placement"] = "end_placement"
    reason: EndReason
    ended_at: UtcDatetime


class OpenBreakGlass(CommandBase):
    """A Duty or Registered Manager opens a child outside their relationship (out-of-hours
    cover), giving a reason; the child's Registered Manager is told. Not one of the actions:
    it has its own update and its own door."""

    type: Literal["open_break_glass"] = "open_break_glass"
    reason: str
    until: UtcDatetime


class AdoptPolicy(CommandBase):
    """The child's Registered Manager moves a running placement onto the policy in force now
    (the statutory clocks and ladders the organisation has since changed): its clocks are
    worked out again from the new one. Not one of the actions: the policy is the
    organisation's, never typed in, so it has its own update and its own door."""

    type: Literal["adopt_policy"] = "adopt_policy"
    policy: Policy


# -- Missing from care (R4, R5) ----------------------------------------------------------------


class ReportMissing(CommandBase):
    """Report the child missing, or away without authorisation (whereabouts known).

    The last-seen place, known whereabouts and circumstances go to the police only.
    """

    type: Literal["report_missing"] = "report_missing"
    kind: MissingKind
    last_seen_at: UtcDatetime
    last_seen_place_reference: str | None = None
    circumstances: str | None = None
    police_risk_grade: PoliceRiskGrade | None = None
    # Philomena Protocol part 2: what the child was wearing; part 1: description and photo.
    clothing_reference: str | None = None
    description_reference: str | None = None
    known_whereabouts_reference: str | None = None
    # Set when the unit's whereabouts check (R4) started the report: the child was not seen,
    # or not back when an authorised absence ended. The place then defaults to the unit and
    # the clothing may follow, because nobody can wait for it.
    unit_check_reference: str | None = None


class RecordPhilomenaProfile(CommandBase):
    """Record the Philomena Protocol profile, part 1, for the police if the child goes missing.

    At arrival and again whenever it changes (the latest counts); references only, never the
    images or addresses. Part 2 is the missing report (ReportMissing)."""

    type: Literal["record_philomena_profile"] = "record_philomena_profile"
    physical_description: str | None = None
    photograph_references: tuple[str, ...] = ()
    clothing_references: tuple[str, ...] = ()
    known_associate_references: tuple[str, ...] = ()
    known_place_references: tuple[str, ...] = ()


class RecordReturn(CommandBase):
    """Record that the missing or absent child is back: closes the open episode."""

    type: Literal["record_return"] = "record_return"
    returned_at: UtcDatetime
    found_by_reference: str | None = None
    where_found_reference: str | None = None


class EpisodeCommandBase(CommandBase):
    """A command about one missing episode, named by its id."""

    episode_id: str


class RecordReturnInterview(EpisodeCommandBase):
    """Record the independent Return Home Interview after an episode."""

    type: Literal["record_return_interview"] = "record_return_interview"
    held_at: UtcDatetime
    interviewer_reference: str | None = None
    child_views: str | None = None


class RecordPoliceAcknowledgement(EpisodeCommandBase):
    """Record that the police acknowledged a missing episode, with their crime or CAD reference."""

    type: Literal["record_police_acknowledgement"] = "record_police_acknowledgement"
    police_acknowledged_at: UtcDatetime
    # The crime or CAD (incident log) reference the police gave.
    police_reference: str | None = None


# -- Location and visitors (R2) ----------------------------------------------------------------


class RecordEnquiry(CommandBase):
    """Record an enquiry about the child; it goes to the Duty Manager, never answered."""

    type: Literal["record_enquiry"] = "record_enquiry"
    channel: EnquiryChannel
    enquirer_reference: str | None = None
    question: str | None = None
    received_at: UtcDatetime


class VisitorCommandBase(CommandBase):
    """A command about one visitor, by reference."""

    visitor_reference: str


class ProposeVisitor(VisitorCommandBase):
    """Propose a visitor: pending until the social worker verifies them."""

    type: Literal["propose_visitor"] = "propose_visitor"
    stated_relationship: str | None = None


class RecordVisitorVerified(VisitorCommandBase):
    """The social worker records the interview that established identity and relationship."""

    type: Literal["record_visitor_verified"] = "record_visitor_verified"
    interviewed_at: UtcDatetime
    identity_established: bool
    relationship_established: bool
    police_check_reference: str | None = None
    immigration_check_reference: str | None = None


class RecordVisit(VisitorCommandBase):
    """Record a visit by a verified visitor (an unverified one is refused)."""

    type: Literal["record_visit"] = "record_visit"
    visited_at: UtcDatetime


class RecordUnverifiedVisitAttempt(VisitorCommandBase):
    """Record that someone not verified came to visit and was turned away: escalated."""

    type: Literal["record_unverified_visit_attempt"] = "record_unverified_visit_attempt"
    attempted_at: UtcDatetime


# -- Restrictions (R6, R10, R11, R12, R18) -----------------------------------------------------


class RecordPhoneReleaseConfirmed(CommandBase):
    """The social worker's written confirmation that the phone may be given back."""

    type: Literal["record_phone_release_confirmed"] = "record_phone_release_confirmed"
    confirmation_reference: str | None = None
    confirmed_at: UtcDatetime


class RestrictionCommandBase(CommandBase):
    """A decision about one kind of restriction, with the reason for it."""

    kind: RestrictionKind
    reason: str | None = None


class ImposeRestriction(RestrictionCommandBase):
    """Restrict internet, going out unsupervised, or contact; temporary, with a review date."""

    type: Literal["impose_restriction"] = "impose_restriction"
    starts_at: UtcDatetime
    # The policy's review period when left out; never later than it.
    review_by: UtcDatetime | None = None
    contact_person_references: tuple[str, ...] = ()


class RenewRestriction(RestrictionCommandBase):
    """Review a restriction and keep it, with a new review date."""

    type: Literal["renew_restriction"] = "renew_restriction"
    review_by: UtcDatetime | None = None


class LiftRestriction(RestrictionCommandBase):
    """Review a restriction and lift it."""

    type: Literal["lift_restriction"] = "lift_restriction"
    lifted_at: UtcDatetime


class ContactCommandBase(CommandBase):
    """A command about contact with one family member or friend, by reference."""

    contact_person_reference: str


class RequestContactAssessment(ContactCommandBase):
    """Ask for an assessment of contact with a family member or friend."""

    type: Literal["request_contact_assessment"] = "request_contact_assessment"
    relationship: str | None = None


class RecordContactAssessment(ContactCommandBase):
    """Record whether contact with the person was found safe."""

    type: Literal["record_contact_assessment"] = "record_contact_assessment"
    outcome: ContactOutcome
    assessed_at: UtcDatetime
    assessment_reference: str | None = None


class RecordFamilyContact(ContactCommandBase):
    """Record contact with family or friends (allowed once assessed safe and not restricted).

    A visit to the unit is a visit: record it with RecordVisit, which needs verification too.
    """

    type: Literal["record_family_contact"] = "record_family_contact"
    means: FamilyContactMeans
    contact_at: UtcDatetime


class RecordSuspiciousActivity(CommandBase):
    """Record something unusual (a waiting car, a phone enquiry): to the Duty Manager at once."""

    type: Literal["record_suspicious_activity"] = "record_suspicious_activity"
    category: SuspiciousActivityCategory
    note_reference_or_text: str
    observed_at: UtcDatetime


# -- Escalations ------------------------------------------------------------------------------


class AcknowledgeEscalation(CommandBase):
    """A manager is dealing with an escalation ("I am dealing with this"): its deadline and step.

    Recorded when the button is pressed, with the manager as the actor; one manager takes an
    escalation, so a second acknowledgement of it is refused, saying who has it.
    """

    type: Literal["acknowledge_escalation"] = "acknowledge_escalation"
    deadline_id: str
    step_index: int


# The commands each decision module answers, in the order the union below lists them.
CarePlanCommand = (
    RecordLeafletDelivered
    | RecordMissingProceduresExplained
    | RecordRiskAssessment
    | RecordPlanningMeeting
    | RecordLookedAfterReview
    | RecordSocialWorkerVisit
    | RecordNrmReferral
    | ChangeRiskLevel
    | RecordObservation
)
MissingCommand = (
    ReportMissing
    | RecordPhilomenaProfile
    | RecordReturn
    | RecordReturnInterview
    | RecordPoliceAcknowledgement
)
VisitorCommand = (
    RecordEnquiry
    | ProposeVisitor
    | RecordVisitorVerified
    | RecordVisit
    | RecordUnverifiedVisitAttempt
)
RestrictionCommand = (
    RecordPhoneReleaseConfirmed
    | ImposeRestriction
    | RenewRestriction
    | LiftRestriction
    | RequestContactAssessment
    | RecordContactAssessment
    | RecordFamilyContact
    | RecordSuspiciousActivity
)

PlacementCommand = Annotated[
    StartPlacement
    | CarePlanCommand
    | EndPlacement
    | MissingCommand
    | VisitorCommand
    | RestrictionCommand
    | AcknowledgeEscalation,
    Field(discriminator="type"),
]

placement_command_adapter: TypeAdapter[PlacementCommand] = TypeAdapter(PlacementCommand)
