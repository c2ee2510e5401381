"""A placement while its events cannot be stored (PostgreSQL down): the clocks keep escalating
even when the run is due to continue as new, and what piled up is stored afterwards, each
event once and in order. (How it is cut into batches: ``tests/unit/test_append_batches.py``.)"""

from __future__ import annotations

from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from tests.support import faults, placements
from tests.support.fake_activities import FakeActivities
from tests.support.running import Running, running_placement


async def _record_observations(p: Running, count: int, note: str) -> None:
    for _ in range(count):
        await p.record(placements.observation(await p.now(), note))


async def test_escalations_go_on_while_a_continue_as_new_waits_for_the_store(
    time_skipping_env: WorkflowEnvironment, task_queue: str
) -> None:
    fakes = FakeActivities()
    async with running_placement(
        time_skipping_env, task_queue, events_per_run=10, fakes=fakes
    ) as p:
        await p.settled()
        first_run = (await p.handle.describe()).run_id
        fakes.store_down = True
        await _record_observations(p, 10, "LOG-7")  # the run is now due to continue as new
        await p.env.sleep(timedelta(hours=21))

        state = await p.state()
        # The leaflet's reminder is due 21 hours after arrival: raised though nothing could
        # be stored and the run could not hand over.
        assert state.escalation_raised("leaflet", 0)
        assert (await p.handle.describe()).run_id == first_run

        fakes.store_down = False
        await p.env.sleep(timedelta(minutes=2))  # the append's next attempt
        await p.settled()
        assert (await p.handle.describe()).run_id != first_run
        stored = fakes.events[p.placement_id]
        assert [e.version for e in stored] == list(range(1, state.version + 1))
        assert p.escalations("leaflet")[0][0] == "reminder"
    faults.FIGURES["escalations raised while a continue-as-new waited for the store"] += 1
