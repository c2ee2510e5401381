"""A UnitWorkflow and the PlacementWorkflows of its residents on a test server, with in-memory
activities under the real names; placements report to the unit as they do in production
(signal-with-start), and the unit signals the placements back."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from safeside.contracts.workflows import (
    DEFAULT_HISTORY_BYTES_PER_RUN,
    PlacementInput,
    PlacementOutcome,
    RecordResult,
    UnitInput,
)
from safeside.ids import placement_workflow_id, unit_workflow_id
from tests.support.fake_activities import FakeActivities
from tests.support.placements import KEY_WORKER, new_placement_id, start_command
from workflows.domain.common import RiskLevel
from workflows.domain.state import PlacementState
from workflows.domain.unit.commands import CheckEntryGiven, RecordUnitCheck
from workflows.domain.unit.due import UnitDeadline
from workflows.domain.unit.events import Whereabouts, unit_stream_id
from workflows.domain.unit.handover import UnitHandover
from workflows.domain.unit.policy import UnitPolicy
from workflows.domain.unit.state import UnitState
from workflows.placement import PlacementWorkflow
from workflows.registry import workflow_runner
from workflows.unit import UnitWorkflow

T = TypeVar("T")


def new_unit_id() -> str:
    return f"UNIT-{uuid.uuid4().hex[:8]}"


async def start_unit_workflow(
    client: Client, unit_id: str, task_queue: str
) -> WorkflowHandle[UnitWorkflow, None]:
    """A unit's workflow on a real server, storing its events within a second (so its stream
    is soon in PostgreSQL)."""
    return await client.start_workflow(
        UnitWorkflow.run,
        UnitInput(unit_id=unit_id, persist_within=timedelta(seconds=1)),
        id=unit_workflow_id(unit_id),
        task_queue=task_queue,
    )


async def until(check: Callable[[], Awaitable[T | None]], within: float = 30.0) -> T:
    """Poll (in real time) until ``check`` gives something truthy: the activities that carry
    reports between workflows run in real time, not on the skipped clock."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        value = await check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the condition did not hold in time")
        await asyncio.sleep(0.05)


@dataclass
class RunningUnit:
    env: WorkflowEnvironment
    task_queue: str
    unit_id: str
    handle: WorkflowHandle[UnitWorkflow, None]
    fakes: FakeActivities
    first_run_id: str | None = None
    placements: dict[str, WorkflowHandle[PlacementWorkflow, PlacementOutcome]] = field(
        default_factory=dict
    )

    @property
    def stream_id(self) -> str:
        return unit_stream_id(self.unit_id)

    async def state(self) -> UnitState:
        return await self.handle.query(UnitWorkflow.current_state)

    async def deadlines(self) -> list[UnitDeadline]:
        return await self.handle.query(UnitWorkflow.open_deadlines)

    async def handover(self) -> UnitHandover:
        return await self.handle.query(UnitWorkflow.handover)

    async def placement_state(self, placement_id: str) -> PlacementState:
        return await self.placements[placement_id].query(PlacementWorkflow.current_state)

    async def admit(self, risk: RiskLevel = RiskLevel.medium) -> str:
        """Start a placement in this unit and wait until the unit knows the child lives here."""
        placement_id = new_placement_id()
        arrived = await self.env.get_current_time() - timedelta(minutes=1)
        start = start_command(placement_id, arrived, risk=risk, unit_id=self.unit_id)
        self.placements[placement_id] = await self.env.client.start_workflow(
            PlacementWorkflow.run,
            PlacementInput(placement_id=placement_id, start=start),
            id=placement_workflow_id(placement_id),
            task_queue=self.task_queue,
        )

        async def joined() -> bool:
            return (await self.state()).resident(placement_id) is not None

        await until(joined)
        return placement_id

    async def check(self, at: datetime | None = None, **whereabouts: Whereabouts) -> RecordResult:
        """Record a unit check: every resident seen unless ``whereabouts`` says otherwise."""
        state = await self.state()
        checked_at = at or await self.env.get_current_time()
        entries = tuple(
            CheckEntryGiven(
                placement_id=r.placement_id,
                whereabouts=whereabouts.get(r.placement_id, Whereabouts.seen),
            )
            for r in state.residents
        )
        return await self.handle.execute_update(
            UnitWorkflow.record_check,
            RecordUnitCheck(actor=KEY_WORKER, checked_at=checked_at, entries=entries),
        )

    async def history_lengths(self) -> list[int]:
        """The number of history events of each run, first to current, following the chain
        of continue-as-new."""
        lengths = []
        run_id = self.first_run_id
        while run_id is not None:
            run = self.env.client.get_workflow_handle(self.handle.id, run_id=run_id)
            history = await run.fetch_history()
            lengths.append(len(history.events))
            last = history.events[-1]
            continued = last.workflow_execution_continued_as_new_event_attributes
            run_id = (
                continued.new_execution_run_id
                if last.HasField("workflow_execution_continued_as_new_event_attributes")
                else None
            )
        return lengths

    def stored_types(self) -> list[str]:
        return self.fakes.types(self.stream_id)

    def escalations(self, kind: str = "unit_check") -> list[tuple[str, str]]:
        return [
            (e.payload["deadline_id"], e.payload["notify_role"])
            for e in self.fakes.events.get(self.stream_id, [])
            if e.event_type == "unit_escalation_raised" and e.payload["kind"] == kind
        ]


@asynccontextmanager
async def running_unit(
    env: WorkflowEnvironment,
    task_queue: str,
    *,
    policy: UnitPolicy | None = None,
    max_history_length: int = 2000,
    history_bytes_per_run: int | None = DEFAULT_HISTORY_BYTES_PER_RUN,
    persist_within: timedelta = timedelta(minutes=1),
    unreachable: frozenset[str] = frozenset(),
) -> AsyncIterator[RunningUnit]:
    fakes = FakeActivities(forward_to_units=True, unreachable=set(unreachable))
    unit_id = new_unit_id()
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[PlacementWorkflow, UnitWorkflow],
        activities=fakes.callables(),
        workflow_runner=workflow_runner(strict=True),
    ):
        # Started here with the test's own settings; the placements' reports then only signal.
        started = await env.client.start_workflow(
            UnitWorkflow.run,
            UnitInput(
                unit_id=unit_id,
                policy=policy or UnitPolicy(),
                max_history_length=max_history_length,
                history_bytes_per_run=history_bytes_per_run,
                persist_within=persist_within,
            ),
            id=unit_workflow_id(unit_id),
            task_queue=task_queue,
        )
        # Not pinned to the first run: the unit continues as new.
        handle = env.client.get_workflow_handle_for(UnitWorkflow.run, started.id)
        unit = RunningUnit(
            env, task_queue, unit_id, handle, fakes, first_run_id=started.first_execution_run_id
        )
        try:
            yield unit
        finally:
            for placement in unit.placements.values():
                await placement.terminate("test finished")
            await handle.terminate("test finished")
