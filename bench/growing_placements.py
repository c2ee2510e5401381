"""What a cached placement costs the worker as it lives: memory after many recorded actions.

The SDK core keeps what a cached run's history carries (each activity's input, each update and
signal) for the life of the run, so a placement's memory grows with every action until its run
continues as new (at ``history_bytes_per_run``). The figure of ``open_placements`` is taken at
arrival; this one after a placement has lived a while.

In a process of its own (``measure_in_new_process``), on a fresh bench stack: ``count``
placements through their arrival work, the worker's resident memory; then ``ACTIONS`` recorded
actions each (a daily-log observation, through the same function the API calls), the memory
again, and how many runs each placement has had.

Run alone: ``.venv/bin/python -m bench.growing_placements [COUNT]`` (prints the figures as JSON).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from temporalio.client import Client

from bench.open_placements import open_through_arrival, resident_mib
from bench.stack import Stack, figures_of_new_process, print_figures_of_own_stack
from bench.throughput import gather_limited, wait_for_count
from safeside.ids import placement_workflow_id
from starter.services.placements import record_action
from tests.support.placements import observation

ACTIONS = 40


@dataclass(frozen=True)
class GrowingFigures:
    count: int
    actions: int
    rss_arrived_mib: float
    rss_lived_mib: float
    runs_median: float

    @property
    def kib_per_action(self) -> float:
        """Worker memory each recorded action added to a cached placement, on average."""
        return (self.rss_lived_mib - self.rss_arrived_mib) * 1024 / self.count / self.actions


async def runs_of(client: Client, placement_id: str) -> int:
    workflow_id = placement_workflow_id(placement_id)
    runs = 0
    async for _ in client.list_workflows(f"WorkflowId = '{workflow_id}'"):
        runs += 1
    return runs


async def measure(stack: Stack, count: int) -> GrowingFigures:
    ids = await open_through_arrival(stack, "BG", count)
    arrived_mib = resident_mib()
    for number in range(ACTIONS):
        observed = observation(datetime.now(UTC), note=f"LOG-{number}")
        await gather_limited([partial(record_action, stack.client, pid, observed) for pid in ids])
    await wait_for_count(
        stack.pool,
        "SELECT count(*) FROM events WHERE stream_id = ANY($1::text[]) AND event_type = $2",
        count * ACTIONS,
        ids,
        "observation_recorded",
    )
    lived_mib = resident_mib()
    runs = [await runs_of(stack.client, pid) for pid in ids[:20]]
    return GrowingFigures(
        count=count,
        actions=ACTIONS,
        rss_arrived_mib=arrived_mib,
        rss_lived_mib=lived_mib,
        runs_median=statistics.median(runs),
    )


async def measure_in_new_process(count: int) -> GrowingFigures:
    return GrowingFigures(**await figures_of_new_process("bench.growing_placements", count))


def describe(figures: GrowingFigures) -> list[str]:
    return [
        f"worker memory as placements live: {figures.count} open, {figures.rss_arrived_mib:.0f} "
        f"MiB after arrival, {figures.rss_lived_mib:.0f} MiB after {figures.actions} actions "
        f"each: {figures.kib_per_action:.1f} KiB an action a placement "
        f"({figures.runs_median:g} runs each, median)",
    ]


if __name__ == "__main__":
    print_figures_of_own_stack(measure, 200)
