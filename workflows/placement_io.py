"""Input and result models of PlacementWorkflow and its update."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from activities.contracts import OutboxMessage
from workflows.domain.commands import StartPlacement
from workflows.domain.events import PlacementEvent
from workflows.domain.policy import Policy
from workflows.domain.state import PlacementState

# Continue-as-new before a run's history grows large, even if the server has not suggested it.
DEFAULT_EVENTS_PER_RUN = 500


class CarriedOver(BaseModel):
    """Everything a run hands to the next one at continue-as-new: the state snapshot (not the
    event list), plus what was decided but not yet stored or delivered."""

    model_config = ConfigDict(frozen=True)

    state: PlacementState
    unpersisted: list[PlacementEvent] = []
    unpersisted_notifications: list[OutboxMessage] = []
    undelivered: list[OutboxMessage] = []


class PlacementInput(BaseModel):
    model_config = ConfigDict(frozen=True)

    placement_id: str
    policy: Policy = Field(default_factory=Policy)
    start: StartPlacement | None = None
    carried: CarriedOver | None = None
    events_per_run: int = Field(default=DEFAULT_EVENTS_PER_RUN, ge=10)


class RecordResult(BaseModel):
    """What an accepted action wrote: the new version and the events' type names."""

    model_config = ConfigDict(frozen=True)

    version: int
    events: list[str]


class PlacementOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    placement_id: str
    final_version: int
    ended_reason: str | None
