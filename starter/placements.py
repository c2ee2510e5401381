"""Starting and reading placements through Temporal: the one path every starter uses."""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from safeside.errors import SafesideError
from safeside.ids import placement_workflow_id
from workflows.domain import Policy, StartPlacement, decide, initial_state
from workflows.placement import PlacementWorkflow
from workflows.placement_io import PlacementInput, PlacementOutcome


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
