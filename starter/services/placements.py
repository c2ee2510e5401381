"""Starting, recording on and reading a placement through its workflow: the one path every
door takes to Temporal about a placement."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from safeside.contracts.workflows import PlacementInput, PlacementOutcome, RecordResult
from safeside.errors import SafesideError
from safeside.ids import placement_workflow_id
from starter.services.workflow_calls import (
    QUERY_TIMEOUT,
    ActionRefused,
    execute_update,
    query,
    unreachable,
)
from workflows.domain import start_checks
from workflows.domain.adoption import adopt
from workflows.domain.adoption_command import AdoptPlacement
from workflows.domain.commands import (
    AdoptPolicy,
    OpenBreakGlass,
    PlacementCommand,
    StartPlacement,
)
from workflows.domain.deadlines import Deadline
from workflows.domain.decide import decide
from workflows.domain.policy import Policy
from workflows.domain.state import PlacementState, initial_state
from workflows.domain.summary import HandoverSummary
from workflows.placement import PlacementWorkflow

STREAM = "placement"
Q = TypeVar("Q")


class PlacementAlreadyOpen(SafesideError):
    pass


class PlacementNotFound(SafesideError):
    pass


class StartRefused(Exception):
    """Start facts the placement's clocks could not run with: a message per field to correct
    (each door shows them as field errors), and nothing was recorded or started."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = dict(problems)


def check_start(command: StartPlacement | AdoptPlacement) -> None:
    """StartRefused unless the placement can run with these facts, by the clock now."""
    problems = start_checks.start_problems(command, datetime.now(UTC))
    if problems:
        raise StartRefused(problems)


async def start_placement(
    client: Client, command: StartPlacement | AdoptPlacement, *, policy: Policy, task_queue: str
) -> WorkflowHandle[PlacementWorkflow, PlacementOutcome]:
    """Start a placement's workflow, or adopt one (a child already placed). Bad details are
    refused by the domain before anything starts (StartRefused on the facts, DomainError); a
    placement id already used gives PlacementAlreadyOpen."""
    check_start(command)
    state, now = initial_state(command.placement_id), datetime.now(UTC)
    if isinstance(command, AdoptPlacement):
        adopt(state, command, now=now, policy=policy)
    else:
        decide(state, command, now=now, policy=policy)
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
        raise unreachable(client, STREAM, error) from error


def placement_handle(
    client: Client, placement_id: str
) -> WorkflowHandle[PlacementWorkflow, PlacementOutcome]:
    return client.get_workflow_handle_for(
        PlacementWorkflow.run, placement_workflow_id(placement_id)
    )


async def record_action(
    client: Client, placement_id: str, command: PlacementCommand | OpenBreakGlass | AdoptPolicy
) -> RecordResult:
    """Record an action through the workflow's update: accepted, or ActionRefused with the
    domain's reason and nothing written (also when the placement has ended). Break-glass and
    a change of policy have updates of their own."""
    handle = placement_handle(client, placement_id)

    async def not_running() -> SafesideError:
        return await _not_running(handle, placement_id)

    update: Any
    if isinstance(command, OpenBreakGlass):
        update = PlacementWorkflow.open_break_glass
    elif isinstance(command, AdoptPolicy):
        update = PlacementWorkflow.adopt_policy
    else:
        update = PlacementWorkflow.record
    return await execute_update(
        client, handle, update, command, stream=STREAM, not_found=not_running
    )


async def current_state(client: Client, placement_id: str) -> PlacementState:
    return await _query(client, placement_id, PlacementWorkflow.current_state)


async def open_deadlines(client: Client, placement_id: str) -> list[Deadline]:
    return await _query(client, placement_id, PlacementWorkflow.open_deadlines)


async def handover(client: Client, placement_id: str) -> HandoverSummary:
    return await _query(client, placement_id, PlacementWorkflow.handover)


async def _query(
    client: Client, placement_id: str, query_method: Callable[[PlacementWorkflow], Q]
) -> Q:
    async def unknown() -> SafesideError:
        return PlacementNotFound(f"there is no placement {placement_id}")

    handle = placement_handle(client, placement_id)
    return await query(client, handle, query_method, stream=STREAM, not_found=unknown)


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
