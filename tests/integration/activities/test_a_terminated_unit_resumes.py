"""A unit's workflow terminated (by an operator, or lost with Temporal's data) starts again on
the next report from one of its placements, from its stream in PostgreSQL: at its stored
version, with its residents, never again at version 1 (which would conflict with what is
stored and stop the unit storing anything more)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from activities.event_store import EventStore
from safeside.contracts.workflows import PlacementInput
from safeside.db import Pool
from safeside.ids import placement_workflow_id, unit_workflow_id
from tests.integration.activities.placements import start
from tests.support.placements import new_placement_id, raise_to_high
from tests.support.starter import eventually
from tests.support.units import new_unit_id, start_unit_workflow
from tests.support.workers import RecordingChannel, real_worker
from workflows.domain.common import RiskLevel
from workflows.domain.unit.events import unit_stream_id
from workflows.domain.unit.state import UnitState
from workflows.placement import PlacementWorkflow
from workflows.unit import UnitWorkflow


async def test_a_terminated_unit_resumes_at_its_stored_version_on_the_next_report(
    dev_env: WorkflowEnvironment, task_queue: str, pool: Pool, store: EventStore
) -> None:
    client = dev_env.client
    unit_id = new_unit_id()
    placement_id = new_placement_id()
    unit = client.get_workflow_handle_for(UnitWorkflow.run, unit_workflow_id(unit_id))
    async with real_worker(client, pool, RecordingChannel(), task_queue=task_queue):
        first = await start_unit_workflow(client, unit_id, task_queue)
        arrived = datetime.now(UTC) - timedelta(hours=1)
        placement = await client.start_workflow(
            PlacementWorkflow.run,
            PlacementInput(
                placement_id=placement_id, start=start(placement_id, arrived, unit_id=unit_id)
            ),
            id=placement_workflow_id(placement_id),
            task_queue=task_queue,
        )

        async def resident_stored() -> bool:
            stored = await store.load_unit_state(unit_id)
            return stored.resident(placement_id) is not None

        await eventually(resident_stored)
        stored = await store.load_unit_state(unit_id)
        await first.terminate("an operator's mistake")

        # The placement's next change reports to its unit, which is not running.
        await placement.execute_update(PlacementWorkflow.record, raise_to_high())

        async def resumed() -> bool:
            description = await unit.describe()
            if description.status is not WorkflowExecutionStatus.RUNNING:
                return False
            state = await unit.query(UnitWorkflow.current_state, result_type=UnitState)
            return state.version > stored.version

        await eventually(resumed)
        state = await unit.query(UnitWorkflow.current_state, result_type=UnitState)
        assert state.version == stored.version + 1  # the risk change, after what was stored
        assert state.opened_at == stored.opened_at
        resident = state.resident(placement_id)
        assert resident is not None
        assert resident.risk_level is RiskLevel.high
        assert (
            state.model_copy(update={"version": stored.version, "residents": stored.residents})
            == stored
        )
        # Nothing was stored in conflict: the trail is the one the first run wrote.
        assert await store.current_version(unit_stream_id(unit_id)) == stored.version
        for handle in (placement, unit):
            await handle.terminate("test finished")
