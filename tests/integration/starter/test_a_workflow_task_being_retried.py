"""While a placement's workflow task is being retried (its worker died mid-task, or the task
timed out on a busy machine), Temporal refuses its updates and queries as "not ready". An
action recorded then waits for the task to come right and is recorded once; one whose task
keeps failing is told so, not that the server is unreachable."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import (
    ExecuteWorkflowInput,
    Interceptor,
    UnsandboxedWorkflowRunner,
    Worker,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

from activities.registry import build_activities
from safeside.db import Pool
from safeside.errors import ServiceUnavailable
from safeside.ids import placement_workflow_id
from starter.services import placements, workflow_calls
from starter.services.connection import Services
from tests.support.placements import leaflet
from tests.support.starter import StartedPlacement, eventually, trail_length
from worker import build_worker
from workflows.registry import WORKFLOWS


class Fault:
    """Whether the worker's workflow tasks fail, as a deploy's bug or a dying worker would."""

    failing = True


class FailingTasks(Interceptor):
    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        return FailWhileFaulty


class FailWhileFaulty(WorkflowInboundInterceptor):
    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        if Fault.failing:
            raise RuntimeError("the workflow task fails")
        return await super().execute_workflow(input)


@asynccontextmanager
async def faulty_worker(
    env: WorkflowEnvironment, pool: Pool, services: Services
) -> AsyncIterator[None]:
    """A worker whose every task replays from the start (nothing cached), so each one meets
    the fault while it lasts."""
    Fault.failing = True
    worker = Worker(
        env.client,
        task_queue=services.settings.task_queue,
        workflows=WORKFLOWS,
        activities=build_activities(pool, services.settings),
        workflow_runner=UnsandboxedWorkflowRunner(),
        interceptors=[FailingTasks()],
        max_cached_workflows=0,
    )
    async with worker:
        yield


async def a_failing_task_retried(client: Client, placement_id: str) -> None:
    """Give the placement a task to run, and wait until Temporal refuses it updates (a task
    failing for the third time in a row)."""
    handle = client.get_workflow_handle(placement_workflow_id(placement_id))
    await handle.signal("nudge")

    async def refusing() -> bool:
        description = await handle.describe()
        import time

        print(
            "ATTEMPT",
            time.monotonic(),
            description.raw_description.pending_workflow_task.attempt,
            description.raw_description.pending_workflow_task.state,
        )
        return description.raw_description.pending_workflow_task.attempt >= 3

    await eventually(refusing, within=60)


async def test_an_action_while_the_task_is_retried_waits_for_it_or_says_it_keeps_failing(
    dev_env: WorkflowEnvironment,
    services: Services,
    pool: Pool,
    started: StartedPlacement,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = dev_env.client
    async with build_worker(client, pool, services.settings):
        placement_id = await started()
        before = await placements.current_state(client, placement_id)

    async with faulty_worker(dev_env, pool, services):
        await a_failing_task_retried(client, placement_id)

        # Still failing when the caller's patience runs out: said plainly, nothing written.
        monkeypatch.setattr(workflow_calls, "NOT_READY_PATIENCE", timedelta(seconds=2))
        with pytest.raises(ServiceUnavailable, match="its task keeps failing"):
            await placements.record_action(client, placement_id, leaflet(datetime.now(UTC)))
        with pytest.raises(ServiceUnavailable, match="its task keeps failing"):
            await placements.current_state(client, placement_id)
        monkeypatch.undo()

        # The task comes right (the bug fixed, the load gone) while an action waits for it.
        recording = asyncio.create_task(
            placements.record_action(client, placement_id, leaflet(datetime.now(UTC)))
        )
        await asyncio.sleep(1)
        assert not recording.done(), "the action was answered while the task was failing"
        Fault.failing = False
        result = await recording

        assert result.version == before.version + 1
        assert (await placements.current_state(client, placement_id)).version == result.version

        async def stored() -> bool:
            return await trail_length(pool, placement_id) == result.version

        await eventually(stored)
