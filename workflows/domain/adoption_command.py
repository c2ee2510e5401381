"""AdoptPlacement: start Safeside for a child who already lives in the unit, with what was
done before, each step with its own date.

One flat command, so the command line's options, the API's body, the web form and the
columns of an import file (``safeside placement import``) are its field names, read once by
``starter.command_fields``. A step is given by its date; its other fields say what the live
record of it says (and the same rules apply: ``workflows.domain.adoption``). A step left out
was not done, and its clock runs from arrival as it would have.
"""

from typing import Literal

from pydantic import Field

from workflows.domain.commands import CommandBase
from workflows.domain.common import MissingKind, PoliceRiskGrade, RiskLevel, UtcDatetime
from workflows.domain.events import PlacementFacts


class AdoptPlacement(CommandBase, PlacementFacts):
    """Adopt a placement: the child already lives in the unit; record what is already done."""

    type: Literal["adopt_placement"] = "adopt_placement"

    # R1: the leaflet, in the child's language (the first language when not given).
    leaflet_delivered_at: UtcDatetime | None = None
    leaflet_language: str | None = None
    leaflet_interpreter_reference: str | None = None
    leaflet_child_understanding: str | None = None
    # R4: the missing procedures explained.
    missing_procedures_explained_at: UtcDatetime | None = None
    missing_procedures_interpreter_reference: str | None = None
    # R8, R17: the latest risk assessment.
    risk_assessed_at: UtcDatetime | None = None
    risk_level: RiskLevel | None = None
    risk_factors: tuple[str, ...] = ()
    risk_child_participated: bool | None = None
    risk_child_views: str | None = None
    # R8: the first planning meeting.
    planning_meeting_held_at: UtcDatetime | None = None
    planning_meeting_young_person_present: bool | None = None
    planning_meeting_absence_reason: str | None = None
    planning_meeting_child_views: str | None = None
    # R8, reg 33: how many looked-after reviews were held, and the latest.
    looked_after_reviews_held: int = Field(default=0, ge=0, le=100)
    latest_review_held_at: UtcDatetime | None = None
    latest_review_iro_reference: str | None = None
    latest_review_child_views: str | None = None
    # reg 28: the latest social worker visit (by the placement's social worker when not given).
    latest_visit_at: UtcDatetime | None = None
    latest_visit_social_worker_reference: str | None = None
    latest_visit_child_seen_alone: bool | None = None
    # National Referral Mechanism.
    nrm_referred_at: UtcDatetime | None = None
    nrm_referral_reference: str | None = None
    # R11: the phone is held unless the social worker confirmed in writing it may be released.
    phone_released_at: UtcDatetime | None = None
    phone_release_confirmation_reference: str | None = None
    # R12, R6, R18: restrictions in force, each since a time, with its next review date (which
    # may have passed: it is then overdue).
    internet_restricted_since: UtcDatetime | None = None
    internet_restriction_review_by: UtcDatetime | None = None
    internet_restriction_reason: str | None = None
    supervision_restricted_since: UtcDatetime | None = None
    supervision_restriction_review_by: UtcDatetime | None = None
    supervision_restriction_reason: str | None = None
    contact_restricted_since: UtcDatetime | None = None
    contact_restriction_review_by: UtcDatetime | None = None
    contact_restriction_reason: str | None = None
    contact_restriction_person_references: tuple[str, ...] = ()
    # R5: the child is missing (or away without authorisation) now.
    missing_kind: MissingKind | None = None
    missing_last_seen_at: UtcDatetime | None = None
    missing_last_seen_place_reference: str | None = None
    missing_circumstances: str | None = None
    missing_clothing_reference: str | None = None
    missing_known_whereabouts_reference: str | None = None
    missing_police_risk_grade: PoliceRiskGrade | None = None
