"""Names, inputs and results of the two workflows, their updates and signals: what starters,
activities and the workflows themselves agree on."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Generic, TypeVar

from pydantic import Field

from safeside.contracts.activities import OutboxMessage
from safeside.contracts.contract import Contract
from workflows.domain.adoption_command import AdoptPlacement
from workflows.domain.commands import StartPlacement
from workflows.domain.common import OpaqueId
from workflows.domain.events import PlacementEvent
from workflows.domain.policy import Policy, SharedPolicy
from workflows.domain.state import PlacementState
from workflows.domain.unit.events import UnitEvent
from workflows.domain.unit.membership import PlacementReport
from workflows.domain.unit.owed import ToPlacement
from workflows.domain.unit.policy import UnitPolicy
from workflows.domain.unit.state import UnitState

UNIT_WORKFLOW_TYPE = "UnitWorkflow"
# The signal by which a placement reports itself to its unit (sent with signal-with-start).
PLACEMENT_REPORTED = "placement_reported"
# The signal by which the unit's workflow hands a placement what it owes it (R4, R7).
RECORD_FROM_UNIT = "record_from_unit"

# Continue-as-new before a placement run's history grows large, even if the server has not
# suggested it: counted in domain events.
DEFAULT_EVENTS_PER_RUN = 500
# A unit's runs are counted in history events: hourly checks run for years.
DEFAULT_MAX_HISTORY_LENGTH = 2000
# Either continues as new once its run's history has grown by this much since the run began,
# so what the SDK core keeps of a cached run stays bounded (``workflows.stream_rules.RunLimits``);
# None: no such limit.
DEFAULT_HISTORY_BYTES_PER_RUN = 64 * 1024
MIN_HISTORY_BYTES_PER_RUN = 16 * 1024
# Unit events are kept in Temporal's history until stored; they are stored in batches, at the
# latest this long after the oldest was decided (at once when one owes a notification).
DEFAULT_PERSIST_WITHIN = timedelta(hours=4)
DEFAULT_PERSIST_BATCH = 48

StateT = TypeVar("StateT")
EventT = TypeVar("EventT")


class CarriedStream(Contract, Generic[StateT, EventT]):
    """What every stream hands its next run at continue-as-new: the state snapshot (not the
    event list), plus what was decided but not yet stored or delivered."""

    state: StateT
    unpersisted: list[EventT] = Field(default_factory=list)
    unpersisted_notifications: list[OutboxMessage] = Field(default_factory=list)
    undelivered: list[OutboxMessage] = Field(default_factory=list)


class CarriedOver(CarriedStream[PlacementState, PlacementEvent]):
    """A placement's carry-over: the stream's, nothing more."""


class CarriedUnit(CarriedStream[UnitState, UnitEvent]):
    """A unit's carry-over: the stream's, the placements' last reports, and what it has not
    yet told them."""

    reports: dict[str, PlacementReport] = Field(default_factory=dict)
    untold: list[ToPlacement] = Field(default_factory=list)


class PlacementInput(Contract):
    placement_id: str
    policy: SharedPolicy = Field(default_factory=Policy)
    # A new placement's start, or the adoption of a child already placed (with the steps
    # already done); None for a run continued as new.
    start: Annotated[StartPlacement | AdoptPlacement, Field(discriminator="type")] | None = None
    carried: CarriedOver | None = None
    events_per_run: int = Field(default=DEFAULT_EVENTS_PER_RUN, ge=10)
    history_bytes_per_run: int | None = Field(
        default=DEFAULT_HISTORY_BYTES_PER_RUN, ge=MIN_HISTORY_BYTES_PER_RUN
    )


class UnitInput(Contract):
    unit_id: OpaqueId
    policy: UnitPolicy = Field(default_factory=UnitPolicy)
    carried: CarriedUnit | None = None
    max_history_length: int = Field(default=DEFAULT_MAX_HISTORY_LENGTH, ge=100)
    history_bytes_per_run: int | None = Field(
        default=DEFAULT_HISTORY_BYTES_PER_RUN, ge=MIN_HISTORY_BYTES_PER_RUN
    )
    persist_within: timedelta = DEFAULT_PERSIST_WITHIN
    persist_batch: int = Field(default=DEFAULT_PERSIST_BATCH, ge=1)


class RecordResult(Contract):
    """What an accepted action wrote: the stream's new version and the events' type names.
    The same for a placement's and a unit's actions."""

    version: int
    events: list[str]


class PlacementOutcome(Contract):
    placement_id: str
    final_version: int
    ended_reason: str | None
