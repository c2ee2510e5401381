"""A PlacementWorkflow on a test server with in-memory activities under the real names, and
the handles a workflow test needs: record, query, wait until the placement's work settles."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from safeside.contracts.workflows import (
    DEFAULT_HISTORY_BYTES_PER_RUN,
    PlacementInput,
    PlacementOutcome,
    RecordResult,
)
from safeside.ids import placement_workflow_id
from tests.support.fake_activities import FakeActivities
from tests.support.placements import new_placement_id, start_command
from workflows.domain.adoption_command import AdoptPlacement
from workflows.domain.commands import StartPlacement
from workflows.domain.deadlines import Deadline
from workflows.domain.policy import Policy
from workflows.domain.state import PlacementState
from workflows.domain.summary import HandoverSummary
from workflows.placement import PlacementWorkflow
from workflows.registry import workflow_runner


@dataclass
class Running:
    env: WorkflowEnvironment
    handle: WorkflowHandle[PlacementWorkflow, PlacementOutcome]
    fakes: FakeActivities
    placement_id: str
    arrived_at: datetime

    async def now(self) -> datetime:
        """The test server's clock (which skips ahead while the workflow waits)."""
        return await self.env.get_current_time()

    async def state(self) -> PlacementState:
        return await self.handle.query(PlacementWorkflow.current_state)

    async def deadlines(self) -> list[Deadline]:
        return await self.handle.query(PlacementWorkflow.open_deadlines)

    async def handover(self) -> HandoverSummary:
        return await self.handle.query(PlacementWorkflow.handover)

    async def record(self, command: object) -> RecordResult:
        return await self.handle.execute_update(PlacementWorkflow.record, command)

    async def settled(self) -> None:
        """Wait (in real time, briefly) until every decided event is stored and every
        notification delivered or given up on."""
        # Generous: on a loaded 2-core machine the activities may take seconds to run.
        for _ in range(600):
            state = await self.state()
            stored = len(self.fakes.events.get(self.placement_id, []))
            undelivered = set(self.fakes.outbox) - {*self.fakes.delivered, *self.fakes.failed}
            if stored == state.version and not undelivered:
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the placement's work did not settle")

    def escalations(self, deadline_id: str) -> list[tuple[str, str]]:
        return [
            (e.payload["step_name"], e.payload["notify_role"])
            for e in self.fakes.events[self.placement_id]
            if e.event_type == "escalation_raised" and e.payload["deadline_id"] == deadline_id
        ]


@asynccontextmanager
async def running_placement(
    env: WorkflowEnvironment,
    task_queue: str,
    *,
    ukvi_relevant: bool = True,
    events_per_run: int = 500,
    history_bytes_per_run: int | None = DEFAULT_HISTORY_BYTES_PER_RUN,
    fakes: FakeActivities | None = None,
    policy: Policy | None = None,
    start: Callable[[str, datetime], StartPlacement | AdoptPlacement] | None = None,
) -> AsyncIterator[Running]:
    """``start`` makes the start (placement id, the server's time now): by default a child who
    arrived five minutes ago."""
    fakes = fakes or FakeActivities()
    placement_id = new_placement_id()
    now = await env.get_current_time()
    command = (
        start(placement_id, now)
        if start is not None
        else start_command(placement_id, now - timedelta(minutes=5), ukvi_relevant=ukvi_relevant)
    )
    arrived_at = command.arrived_at
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[PlacementWorkflow],
        activities=fakes.callables(),
        workflow_runner=workflow_runner(strict=True),
    ):
        handle = await env.client.start_workflow(
            PlacementWorkflow.run,
            PlacementInput(
                placement_id=placement_id,
                start=command,
                events_per_run=events_per_run,
                history_bytes_per_run=history_bytes_per_run,
                policy=policy or Policy(),
            ),
            id=placement_workflow_id(placement_id),
            task_queue=task_queue,
        )
        running = Running(env, handle, fakes, placement_id, arrived_at)
        try:
            yield running
        finally:
            # Let the placement's own work settle so no activity is cut off mid-flight.
            if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
                await running.settled()
                await handle.terminate("test finished")
