"""The spine later issues build on: a placement workflow starts and its state can be read."""

import uuid

from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from workflows.placement import (
    PlacementInput,
    PlacementView,
    PlacementWorkflow,
    placement_workflow_id,
)


async def test_a_started_placement_reports_its_state(
    time_skipping_env: WorkflowEnvironment, task_queue: str
) -> None:
    placement_id = f"PL-{uuid.uuid4().hex[:8]}"
    async with Worker(
        time_skipping_env.client, task_queue=task_queue, workflows=[PlacementWorkflow]
    ):
        handle = await time_skipping_env.client.start_workflow(
            PlacementWorkflow.run,
            PlacementInput(placement_id=placement_id, unit_id="UNIT-1"),
            id=placement_workflow_id(placement_id),
            task_queue=task_queue,
        )
        view = await handle.query(PlacementWorkflow.state, result_type=PlacementView)
        assert view.placement_id == placement_id
        assert view.status == "open"
        await handle.signal(PlacementWorkflow.end)
        await handle.result()
