"""Commands: what a person asks the system to record, in the imperative.

Commands carry only their shape here. Whether a command is acceptable (a missing
interpreter reference, a date in the future, the child's views left out) is decided in
`decide`, so every refusal reaches the worker as a DomainError in plain words.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from workflows.domain.common import Actor, RiskLevel, UtcDatetime
from workflows.domain.events import EndReason, PlacementFacts


class CommandBase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

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


PlacementCommand = Annotated[
    StartPlacement
    | RecordLeafletDelivered
    | RecordMissingProceduresExplained
    | RecordRiskAssessment
    | RecordPlanningMeeting
    | RecordLookedAfterReview
    | RecordSocialWorkerVisit
    | RecordNrmReferral
    | ChangeRiskLevel
    | RecordObservation
    | EndPlacement,
    Field(discriminator="type"),
]

placement_command_adapter: TypeAdapter[PlacementCommand] = TypeAdapter(PlacementCommand)
