"""PlacementWorkflow: one durable workflow per child placement (skeleton of the spine).

The placement issue replaces this skeleton's body with the event-sourced domain; the workflow
id, input model and query names here are the contract the starters already use.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from temporalio import workflow
from temporalio.exceptions import ApplicationError

WORKFLOW_ID_PREFIX = "placement-"


def placement_workflow_id(placement_id: str) -> str:
    """Workflow ids carry the opaque placement id only, never anything about the child."""
    return f"{WORKFLOW_ID_PREFIX}{placement_id}"


class PlacementInput(BaseModel):
    model_config = ConfigDict(frozen=True)
    placement_id: str
    unit_id: str


class PlacementView(BaseModel):
    model_config = ConfigDict(frozen=True)
    placement_id: str
    unit_id: str
    status: str
    started_at: datetime


@workflow.defn
class PlacementWorkflow:
    def __init__(self) -> None:
        self._view: PlacementView | None = None
        self._ended = False

    @workflow.run
    async def run(self, placement: PlacementInput) -> None:
        self._view = PlacementView(
            placement_id=placement.placement_id,
            unit_id=placement.unit_id,
            status="open",
            started_at=workflow.now(),
        )
        await workflow.wait_condition(lambda: self._ended)

    @workflow.query
    def state(self) -> PlacementView:
        if self._view is None:
            raise ApplicationError("the placement has not started yet")
        return self._view

    @workflow.signal
    def end(self) -> None:
        self._ended = True
