"""Recording on and reading a unit through its workflow: the one path every door takes to
Temporal about a unit. Refusals carry the domain's reason; an unknown unit is UnitNotFound."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from temporalio.client import Client, WorkflowHandle

from safeside.contracts.workflows import RecordResult
from safeside.errors import SafesideError
from safeside.ids import unit_workflow_id
from starter.services.workflow_calls import NotFound, execute_update, query
from workflows.domain.unit.commands import (
    AcknowledgeHandover,
    RecordBuildingCheck,
    RecordHouseMeeting,
    RecordUnitCheck,
)
from workflows.domain.unit.decide import UnitCommand
from workflows.domain.unit.handover import UnitHandover
from workflows.domain.unit.state import UnitState
from workflows.unit import UnitWorkflow

STREAM = "unit"
T = TypeVar("T")


class UnitNotFound(SafesideError):
    pass


def unit_handle(client: Client, unit_id: str) -> WorkflowHandle[UnitWorkflow, None]:
    return client.get_workflow_handle_for(UnitWorkflow.run, unit_workflow_id(unit_id))


_UPDATES: dict[type, Any] = {
    RecordUnitCheck: UnitWorkflow.record_check,
    RecordHouseMeeting: UnitWorkflow.record_house_meeting,
    RecordBuildingCheck: UnitWorkflow.record_building_check,
    AcknowledgeHandover: UnitWorkflow.record_handover_acknowledged,
}


async def record_on_unit(client: Client, unit_id: str, command: UnitCommand) -> RecordResult:
    """Record through the unit's update: accepted, or ActionRefused with the domain's reason."""
    handle = unit_handle(client, unit_id)
    return await execute_update(
        client, handle, _UPDATES[type(command)], command, stream=STREAM, not_found=_unknown(unit_id)
    )


async def unit_state(client: Client, unit_id: str) -> UnitState:
    return await _query(client, unit_id, UnitWorkflow.current_state)


async def unit_handover(client: Client, unit_id: str) -> UnitHandover:
    return await _query(client, unit_id, UnitWorkflow.handover)


async def _query(client: Client, unit_id: str, query_method: Callable[[UnitWorkflow], T]) -> T:
    handle = unit_handle(client, unit_id)
    return await query(client, handle, query_method, stream=STREAM, not_found=_unknown(unit_id))


def _unknown(unit_id: str) -> NotFound:
    async def unknown() -> SafesideError:
        return UnitNotFound(
            f"there is no unit {unit_id}: a unit starts when its first placement does"
        )

    return unknown
