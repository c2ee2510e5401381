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
    DeadlineKind,
    NonEmptyText,
    OpaqueId,
    Reference,
    RiskLevel,
    Role,
    UtcDatetime,
)
from workflows.domain.errors import DomainError

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
EndReason = Literal["moved", "discharged", "turned_18"]


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
    | PlacementEnded,
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
)

CURRENT_SCHEMA_VERSIONS: dict[str, int] = {
    cls.model_fields["type"].default: cls.model_fields["schema_version"].default
    for cls in _EVENT_CLASSES
}

Payload = dict[str, Any]
# (type name, schema version it reads) -> function turning that shape into the next version.
_UPCASTERS: dict[tuple[str, int], Callable[[Payload], Payload]] = {}


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
