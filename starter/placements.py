"""Starting and reading placements through Temporal: the one path every starter uses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from safeside.errors import SafesideError, ServiceUnavailable
from safeside.ids import placement_workflow_id
from workflows.domain.commands import PlacementCommand, StartPlacement
from workflows.domain.deadlines import Deadline
from workflows.domain.decide import decide
from workflows.domain.policy import Policy
from workflows.domain.state import PlacementState, initial_state
from workflows.domain.summary import HandoverSummary
from workflows.placement import DOMAIN_ERROR, PlacementWorkflow
from workflows.placement_io import PlacementInput, PlacementOutcome, RecordResult


class PlacementAlreadyOpen(SafesideError):
    pass


async def start_placement(
    client: Client, command: StartPlacement, *, policy: Policy, task_queue: str
) -> WorkflowHandle[PlacementWorkflow, PlacementOutcome]:
    """Start a placement's workflow. Bad details are refused by the domain before anything
    starts (DomainError); a placement id already used gives PlacementAlreadyOpen."""
    decide(initial_state(command.placement_id), command, now=datetime.now(UTC), policy=policy)
    try:
        return await client.start_workflow(
            PlacementWorkflow.run,
            PlacementInput(placement_id=command.placement_id, policy=policy, start=command),
            id=placement_workflow_id(command.placement_id),
            task_queue=task_queue,
            # A placement id names one placement for ever: never start it again.
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
    except WorkflowAlreadyStartedError:
        raise PlacementAlreadyOpen(
            f"placement {command.placement_id} is already open (or was open before): "
            "placement ids are never reused"
        ) from None
    except RPCError as error:
        raise _unreachable(client, error) from error


class PlacementNotFound(SafesideError):
    pass


class ActionRefused(SafesideError):
    """The domain refused a command; the message is its reason, in plain words."""


# Queries and updates need a worker: without one they would wait for ever, so they time out
# with a message saying what to start.
QUERY_TIMEOUT = timedelta(seconds=10)
UPDATE_TIMEOUT = timedelta(seconds=30)


def placement_handle(
    client: Client, placement_id: str
) -> WorkflowHandle[PlacementWorkflow, PlacementOutcome]:
    return client.get_workflow_handle_for(
        PlacementWorkflow.run, placement_workflow_id(placement_id)
    )


async def record_action(
    client: Client, placement_id: str, command: PlacementCommand
) -> RecordResult:
    """Record an action through the workflow's update: accepted (the new version and the
    events written), or ActionRefused with the domain's reason and nothing written."""
    handle = placement_handle(client, placement_id)
    try:
        return await handle.execute_update(
            PlacementWorkflow.record, command, rpc_timeout=UPDATE_TIMEOUT
        )
    except WorkflowUpdateFailedError as failure:
        cause = failure.cause
        if isinstance(cause, ApplicationError) and cause.type == DOMAIN_ERROR:
            raise ActionRefused(cause.message) from None
        raise
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        raise _no_worker(client) from None
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            raise await _not_running(handle, placement_id) from None
        raise _unreachable(client, error) from error


async def current_state(client: Client, placement_id: str) -> PlacementState:
    return await _query(client, placement_id, PlacementWorkflow.current_state)


async def open_deadlines(client: Client, placement_id: str) -> list[Deadline]:
    return await _query(client, placement_id, PlacementWorkflow.open_deadlines)


async def handover(client: Client, placement_id: str) -> HandoverSummary:
    return await _query(client, placement_id, PlacementWorkflow.handover)


Q = TypeVar("Q")


async def _query(client: Client, placement_id: str, query: Callable[[PlacementWorkflow], Q]) -> Q:
    handle = placement_handle(client, placement_id)
    try:
        return await handle.query(query, rpc_timeout=QUERY_TIMEOUT)
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            raise PlacementNotFound(f"there is no placement {placement_id}") from None
        raise _unreachable(client, error) from error


async def _not_running(
    handle: WorkflowHandle[PlacementWorkflow, PlacementOutcome], placement_id: str
) -> SafesideError:
    """Why an update found no running workflow: the placement never existed, or it is closed."""
    try:
        description = await handle.describe(rpc_timeout=QUERY_TIMEOUT)
    except RPCError:
        return PlacementNotFound(f"there is no placement {placement_id}")
    if description.status is WorkflowExecutionStatus.COMPLETED:
        return ActionRefused("this placement has ended: nothing more can be recorded on it")
    status = description.status.name.lower() if description.status else "closed"
    return ActionRefused(
        f"placement {placement_id} is no longer running ({status}): nothing can be recorded on it"
    )


def _unreachable(client: Client, error: RPCError) -> SafesideError:
    if error.status is RPCStatusCode.DEADLINE_EXCEEDED:
        return _no_worker(client)
    return ServiceUnavailable(
        f"the Temporal server at {client.service_client.config.target_host} did not answer "
        f"({error.status.name}): start the stack with `make run` or check "
        "SAFESIDE_TEMPORAL_ADDRESS"
    )


def _no_worker(client: Client) -> ServiceUnavailable:
    return ServiceUnavailable(
        "no worker answered for the placement in time: start the stack with `make run` "
        f"(or `safeside worker`) against {client.service_client.config.target_host}"
    )
