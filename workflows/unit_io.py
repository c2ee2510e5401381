"""Input and result models of UnitWorkflow, its updates, and what it owes the placements."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from activities.contracts import OutboxMessage
from workflows.domain.commands import RecordSuspiciousActivity, ReportMissing
from workflows.domain.common import OpaqueId
from workflows.domain.unit.events import UnitEvent
from workflows.domain.unit.membership import PlacementReport
from workflows.domain.unit.policy import UnitPolicy
from workflows.domain.unit.state import UnitState

UNIT_WORKFLOW_TYPE = "UnitWorkflow"
# The signal by which a placement reports itself to its unit (sent with signal-with-start).
PLACEMENT_REPORTED = "placement_reported"
# Continue-as-new once a run's history holds this many events: hourly checks run for years.
DEFAULT_MAX_HISTORY_LENGTH = 2000
# Unit events are kept in Temporal's history until stored; they are stored in batches, at the
# latest this long after the oldest was decided (at once when one owes a notification).
DEFAULT_PERSIST_WITHIN = timedelta(hours=4)
DEFAULT_PERSIST_BATCH = 48

UnitToPlacementCommand = Annotated[
    ReportMissing | RecordSuspiciousActivity, Field(discriminator="type")
]


class ToPlacement(BaseModel):
    """A command the unit owes a placement: a missing report (R4) or a concern (R7)."""

    model_config = ConfigDict(frozen=True)

    placement_id: str
    command: UnitToPlacementCommand


class CarriedUnit(BaseModel):
    """What a run hands the next at continue-as-new: the state snapshot, the placements' last
    reports, and what was decided but not yet stored, delivered or told."""

    model_config = ConfigDict(frozen=True)

    state: UnitState
    reports: dict[str, PlacementReport] = {}
    unpersisted: list[UnitEvent] = []
    unpersisted_notifications: list[OutboxMessage] = []
    undelivered: list[OutboxMessage] = []
    untold: list[ToPlacement] = []


class UnitInput(BaseModel):
    model_config = ConfigDict(frozen=True)

    unit_id: OpaqueId
    policy: UnitPolicy = Field(default_factory=UnitPolicy)
    carried: CarriedUnit | None = None
    max_history_length: int = Field(default=DEFAULT_MAX_HISTORY_LENGTH, ge=100)
    persist_within: timedelta = DEFAULT_PERSIST_WITHIN
    persist_batch: int = Field(default=DEFAULT_PERSIST_BATCH, ge=1)


class UnitRecordResult(BaseModel):
    """What an accepted unit action wrote: the unit's new version and the events' type names."""

    model_config = ConfigDict(frozen=True)

    version: int
    events: list[str]
