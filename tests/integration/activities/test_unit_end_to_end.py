"""The unit workflow on the dev server with its residents' placements, the real activities and
PostgreSQL: the unit's handover view matches each placement's own state, a child not seen at a
check is reported missing in the placement, and the unit's trail and projections are stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from temporalio.testing import WorkflowEnvironment

from activities.event_store import EventStore
from safeside.contracts.workflows import PlacementInput
from safeside.db import Pool
from safeside.ids import placement_workflow_id
from tests.integration.activities.placements import start
from tests.support.placements import KEY_WORKER, new_placement_id, raise_to_high
from tests.support.starter import eventually
from tests.support.units import new_unit_id, start_unit_workflow
from tests.support.workers import RecordingChannel, real_worker
from workflows.domain.state import PlacementState
from workflows.domain.summary import HandoverSummary
from workflows.domain.unit.commands import CheckEntryGiven, RecordUnitCheck
from workflows.domain.unit.events import Whereabouts, unit_stream_id
from workflows.domain.unit.handover import ResidentHandover, UnitHandover
from workflows.domain.unit.state import UnitState
from workflows.placement import PlacementWorkflow
from workflows.unit import UnitWorkflow


def same_view(resident: ResidentHandover, own: HandoverSummary) -> bool:
    horizon = own.as_at + timedelta(hours=24)
    deadlines = [*own.overdue_deadlines, *own.open_deadlines]
    return (
        resident.risk_level == own.risk_level
        and resident.risk_factors == own.risk_factors
        and resident.restrictions == own.restrictions
        and resident.phone_held == own.phone_held
        and resident.missing == own.missing
        and resident.missing_episode_id == own.missing_episode_id
        and {d.deadline_id for d in resident.overdue}
        == {d.deadline_id for d in own.overdue_deadlines}
        and {d.deadline_id for d in (*resident.overdue, *resident.due_next_24_hours)}
        # A missing child's watch is the banner's ("missing since"), never overdue or due.
        == {d.deadline_id for d in deadlines if not d.watch and (d.overdue or d.due_at <= horizon)}
    )


async def test_the_unit_handover_matches_each_resident_placements_own_state(
    dev_env: WorkflowEnvironment, task_queue: str, pool: Pool, store: EventStore
) -> None:
    client = dev_env.client
    unit_id = new_unit_id()
    async with real_worker(client, pool, RecordingChannel(), task_queue=task_queue):
        unit = await start_unit_workflow(client, unit_id, task_queue)
        placements = {}
        for _ in range(2):
            placement_id = new_placement_id()
            arrived = datetime.now(UTC) - timedelta(hours=1)
            command = start(placement_id, arrived, unit_id=unit_id)
            placements[placement_id] = await client.start_workflow(
                PlacementWorkflow.run,
                PlacementInput(placement_id=placement_id, start=command),
                id=placement_workflow_id(placement_id),
                task_queue=task_queue,
            )
        first, second = sorted(placements)

        async def both_resident() -> bool:
            state = await unit.query(UnitWorkflow.current_state, result_type=UnitState)
            return {r.placement_id for r in state.residents} == {first, second}

        await eventually(both_resident)
        await placements[first].execute_update(PlacementWorkflow.record, raise_to_high())
        await unit.execute_update(
            UnitWorkflow.record_check,
            RecordUnitCheck(
                actor=KEY_WORKER,
                checked_at=datetime.now(UTC),
                entries=(
                    CheckEntryGiven(placement_id=first, whereabouts=Whereabouts.seen),
                    CheckEntryGiven(placement_id=second, whereabouts=Whereabouts.not_seen),
                ),
            ),
        )

        async def missing_reported() -> bool:
            state = await placements[second].query(
                PlacementWorkflow.current_state, result_type=PlacementState
            )
            return state.open_episode() is not None

        await eventually(missing_reported)

        async def views_match() -> bool:
            view = await unit.query(UnitWorkflow.handover, result_type=UnitHandover)
            for resident in view.residents:
                own = await placements[resident.placement_id].query(
                    PlacementWorkflow.handover, result_type=HandoverSummary
                )
                state = await placements[resident.placement_id].query(
                    PlacementWorkflow.current_state, result_type=PlacementState
                )
                if resident.reported_version != state.version or not same_view(resident, own):
                    return False
            return len(view.residents) == 2

        await eventually(views_match)
        view = await unit.query(UnitWorkflow.handover, result_type=UnitHandover)
        by_id = {r.placement_id: r for r in view.residents}
        assert by_id[first].risk_level is not None
        assert by_id[first].risk_level.value == "high"
        assert by_id[second].missing
        assert by_id[second].whereabouts is Whereabouts.not_seen

        async def unit_stored() -> bool:
            state = await unit.query(UnitWorkflow.current_state, result_type=UnitState)
            return await store.current_version(unit_stream_id(unit_id)) == state.version

        await eventually(unit_stored)
        stored = await store.load_unit_state(unit_id)
        assert stored == await unit.query(UnitWorkflow.current_state, result_type=UnitState)
        row = await pool.fetchrow(
            "SELECT residents, checks_recorded FROM units WHERE unit_id = $1", unit_id
        )
        assert (row["residents"], row["checks_recorded"]) == (2, 1)
        check = await pool.fetchrow(
            "SELECT seen, not_seen FROM unit_checks WHERE stream_id = $1", unit_stream_id(unit_id)
        )
        assert (check["seen"], check["not_seen"]) == (1, 1)
        trail = [e.event_type for e in await store.read_stream(second)]
        assert "missing_reported" in trail
        for handle in (*placements.values(), unit):
            await handle.terminate("test finished")
