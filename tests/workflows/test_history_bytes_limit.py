"""A placement's run continues as new once its history reaches its limit
(``history_bytes_per_run``, by default ``DEFAULT_HISTORY_BYTES_PER_RUN``): the SDK
core keeps what a cached run's history carries for the life of the run, so a placement that
lives for a year must not keep a year of it in the worker's memory. Nothing recorded is lost
at the hand-over."""

from __future__ import annotations

from temporalio.client import WorkflowHistory

from safeside.contracts.workflows import DEFAULT_HISTORY_BYTES_PER_RUN
from tests.support.placements import observation
from tests.support.running import Running
from tests.support.units import until
from workflows.placement import PlacementWorkflow


def history_bytes(history: WorkflowHistory) -> int:
    return sum(len(event.SerializeToString()) for event in history.events)


async def stored_up_to(placement: Running, version: int) -> None:
    async def stored() -> bool:
        return len(placement.fakes.events.get(placement.placement_id, [])) >= version

    await until(stored, within=4.0)


async def test_a_run_hands_over_once_its_history_reaches_the_limit(placement: Running) -> None:
    first_run = placement.handle.first_execution_run_id
    assert first_run is not None
    latest = placement.env.client.get_workflow_handle_for(
        PlacementWorkflow.run, placement.handle.id
    )
    before = await latest.query(PlacementWorkflow.current_state)
    recorded = 0
    while (await latest.describe()).run_id == first_run:
        assert recorded < 300, "the run never continued as new"
        command = observation(await placement.now(), note=f"LOG-{recorded}")
        result = await latest.execute_update(PlacementWorkflow.record, command)
        recorded += 1
        await stored_up_to(placement, result.version)  # actions a while apart, as in life

    first = await placement.env.client.get_workflow_handle(
        placement.handle.id, run_id=first_run
    ).fetch_history()
    assert history_bytes(first) >= DEFAULT_HISTORY_BYTES_PER_RUN * 0.9
    state = await latest.query(PlacementWorkflow.current_state)
    assert state.version == before.version + recorded
    await stored_up_to(placement, state.version)  # every event, across the hand-over
    stored = placement.fakes.events[placement.placement_id]
    assert [e.version for e in stored] == list(range(1, state.version + 1))
