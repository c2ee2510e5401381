"""Events of a residential unit's own stream, in the past tense.

The stream id is the opaque unit id behind a `unit:` prefix ("unit:UNIT-7"): a placement id
cannot hold a colon, so the two kinds of stream never collide in the events table. Stored by
the stable `type` name and a `schema_version`, by the same kit as the placement's events.
"""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from workflows.domain.common import (
    NonEmptyText,
    OpaqueId,
    Ordinal,
    Reference,
    RiskLevel,
    ShortText,
    UtcDatetime,
)
from workflows.domain.events import NotificationFailed
from workflows.domain.ladders import LadderStepRaised
from workflows.domain.protection_events import SuspiciousActivityCategory
from workflows.domain.stream import EventCatalog, StreamEvent

UNIT_STREAM_PREFIX = "unit:"
UnitStreamId = Annotated[str, StringConstraints(pattern=r"^unit:[A-Za-z0-9][A-Za-z0-9_-]{2,63}$")]


def unit_stream_id(unit_id: str) -> str:
    return f"{UNIT_STREAM_PREFIX}{unit_id}"


def is_unit_stream(stream_id: str) -> bool:
    return stream_id.startswith(UNIT_STREAM_PREFIX)


class Whereabouts(StrEnum):
    seen = "seen"
    away_authorised = "away_authorised"
    not_seen = "not_seen"


class UnitDeadlineKind(StrEnum):
    unit_check = "unit_check"
    house_meeting = "house_meeting"
    building_check = "building_check"
    # A watch: the end of an authorised absence with no check seeing the child back.
    authorised_absence = "authorised_absence"


MissingReason = Literal["not_seen", "absence_overran"]
CheckArea = Literal["building", "outside"]


class CheckEntry(BaseModel):
    """One resident in a unit check. Where an authorised absence is (a reference) stays in the
    event, for the police if the child does not come back: never in the state or a notice."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    placement_id: OpaqueId
    whereabouts: Whereabouts
    known_whereabouts_reference: Reference | None = None
    away_until: UtcDatetime | None = None


class Concern(BaseModel):
    """Something seen on a building or outside check (R14), about a child when one is named."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    category: SuspiciousActivityCategory
    note_reference_or_text: ShortText
    placement_id: OpaqueId | None = None


class UnitEventBase(StreamEvent):
    stream_id: UnitStreamId


class ResidentEventBase(UnitEventBase):
    """An event about one resident child, named by their placement."""

    placement_id: OpaqueId


class UnitOpened(UnitEventBase):
    type: Literal["unit_opened"] = "unit_opened"
    unit_id: OpaqueId


class ResidentJoined(ResidentEventBase):
    type: Literal["resident_joined"] = "resident_joined"
    arrived_at: UtcDatetime
    risk_level: RiskLevel | None


class ResidentRiskChanged(ResidentEventBase):
    type: Literal["resident_risk_changed"] = "resident_risk_changed"
    to_level: RiskLevel


class ResidentLeft(ResidentEventBase):
    type: Literal["resident_left"] = "resident_left"


class UnitCheckRecorded(UnitEventBase):
    type: Literal["unit_check_recorded"] = "unit_check_recorded"
    check_number: Ordinal
    checked_at: UtcDatetime
    entries: tuple[CheckEntry, ...]


class MissingProcedureRequested(ResidentEventBase):
    """The unit asked the placement to start its missing procedure (R4, R5) at once."""

    type: Literal["missing_procedure_requested"] = "missing_procedure_requested"
    reason: MissingReason
    check_number: Ordinal
    last_seen_at: UtcDatetime


class HouseMeetingHeld(UnitEventBase):
    type: Literal["house_meeting_held"] = "house_meeting_held"
    held_at: UtcDatetime
    phones_discussed: bool
    topics: tuple[NonEmptyText, ...] = ()
    residents_present: int = Field(ge=0)


class BuildingCheckRecorded(UnitEventBase):
    type: Literal["building_check_recorded"] = "building_check_recorded"
    checked_at: UtcDatetime
    areas: tuple[CheckArea, ...] = Field(min_length=1)
    concerns: tuple[Concern, ...] = ()


class HandoverAcknowledged(UnitEventBase):
    type: Literal["handover_acknowledged"] = "handover_acknowledged"
    acknowledged_at: UtcDatetime
    handed_over_by_reference: Reference


class UnitEscalationRaised(UnitEventBase, LadderStepRaised):
    type: Literal["unit_escalation_raised"] = "unit_escalation_raised"
    kind: UnitDeadlineKind


class UnitNotificationFailed(UnitEventBase, NotificationFailed):
    """A notice the unit owed could not be delivered after every retry: the placement's event
    of the same type and fields, in the unit's stream, so the Duty Manager is told alike."""


UnitEvent = Annotated[
    UnitOpened
    | ResidentJoined
    | ResidentRiskChanged
    | ResidentLeft
    | UnitCheckRecorded
    | MissingProcedureRequested
    | HouseMeetingHeld
    | BuildingCheckRecorded
    | HandoverAcknowledged
    | UnitEscalationRaised
    | UnitNotificationFailed,
    Field(discriminator="type"),
]

UNIT_EVENTS: EventCatalog[UnitEvent] = EventCatalog(UnitEvent, what="unit event")
unit_event_to_stored = UNIT_EVENTS.to_stored
unit_event_from_stored = UNIT_EVENTS.from_stored
