"""Recording on and reading a unit through its workflow: the one path the command line and the
HTTP API use. Refusals carry the domain's reason; an unknown unit is UnitNotFound."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from safeside.errors import SafesideError, ServiceUnavailable
from safeside.ids import unit_workflow_id
from starter.placements import ActionRefused
from workflows.domain.unit.commands import (
    AcknowledgeHandover,
    RecordBuildingCheck,
    RecordHouseMeeting,
    RecordUnitCheck,
)
from workflows.domain.unit.handover import UnitHandover
from workflows.domain.unit.state import UnitState
from workflows.domain.unit.unit_checks import UnitCommand
from workflows.placement import DOMAIN_ERROR
from workflows.unit import UnitWorkflow
from workflows.unit_io import UnitRecordResult

QUERY_TIMEOUT = timedelta(seconds=10)
UPDATE_TIMEOUT = timedelta(seconds=30)

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


async def record_on_unit(client: Client, unit_id: str, command: UnitCommand) -> UnitRecordResult:
    """Record through the unit's update: accepted, or ActionRefused with the domain's reason."""
    handle = unit_handle(client, unit_id)
    try:
        result: UnitRecordResult = await handle.execute_update(
            _UPDATES[type(command)], command, rpc_timeout=UPDATE_TIMEOUT
        )
    except WorkflowUpdateFailedError as failure:
        cause = failure.cause
        if isinstance(cause, ApplicationError) and cause.type == DOMAIN_ERROR:
            raise ActionRefused(cause.message) from None
        raise
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        raise _no_worker(client) from None
    except RPCError as error:
        raise _failed(client, unit_id, error) from error
    return result


async def unit_state(client: Client, unit_id: str) -> UnitState:
    return await _query(client, unit_id, UnitWorkflow.current_state)


async def unit_handover(client: Client, unit_id: str) -> UnitHandover:
    return await _query(client, unit_id, UnitWorkflow.handover)


async def _query(client: Client, unit_id: str, query: Callable[[UnitWorkflow], T]) -> T:
    try:
        return await unit_handle(client, unit_id).query(query, rpc_timeout=QUERY_TIMEOUT)
    except RPCError as error:
        raise _failed(client, unit_id, error) from error


def _failed(client: Client, unit_id: str, error: RPCError) -> SafesideError:
    if error.status is RPCStatusCode.NOT_FOUND:
        return UnitNotFound(
            f"there is no unit {unit_id}: a unit starts when its first placement does"
        )
    if error.status is RPCStatusCode.DEADLINE_EXCEEDED:
        return _no_worker(client)
    return ServiceUnavailable(
        f"the Temporal server at {client.service_client.config.target_host} did not answer "
        f"({error.status.name}): start the stack with `make run` or check "
        "SAFESIDE_TEMPORAL_ADDRESS"
    )


def _no_worker(client: Client) -> ServiceUnavailable:
    return ServiceUnavailable(
        "no worker answered for the unit in time: start the stack with `make run` "
        f"(or `safeside worker`) against {client.service_client.config.target_host}"
    )
