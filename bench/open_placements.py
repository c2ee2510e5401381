"""Many open placements on one worker: its memory, and how long the live reads take.

In a process of its own (``measure_in_new_process``), so that no earlier benchmark's memory is
counted: on a fresh bench stack, the worker's resident memory (the process: the worker, its
client and the bench) with no placement open, then with ``count`` placements open, through
their arrival work and cached by the worker; the cost of one cached placement. Then the two
reads the API and the web page make of a placement's workflow, the handover and the whole
state, each timed over a sample of the open placements, one after another.

Run alone: ``.venv/bin/python -m bench.open_placements [COUNT]`` (prints the figures as JSON).
"""

from __future__ import annotations

import gc
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from bench.stack import Stack, figures_of_new_process, print_figures_of_own_stack
from bench.throughput import gather_limited, percentile, start_command, wait_for_count
from starter.services.placements import current_state, handover, start_placement
from workflows.domain.policy import Policy

SAMPLE = 300


@dataclass(frozen=True)
class OpenFigures:
    count: int
    rss_empty_mib: float
    rss_open_mib: float
    handover_p50_ms: float
    handover_p99_ms: float
    state_p50_ms: float
    state_p99_ms: float

    @property
    def kib_per_placement(self) -> float:
        return (self.rss_open_mib - self.rss_empty_mib) * 1024 / self.count


def resident_mib() -> float:
    """This process's resident set size (VmRSS), after a collection."""
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmRSS is not in /proc/self/status")


async def timed_ms(read: Callable[[str], Awaitable[object]], ids: list[str]) -> list[float]:
    took = []
    for placement_id in ids:
        began = time.perf_counter()
        await read(placement_id)
        took.append((time.perf_counter() - began) * 1000)
    return sorted(took)


async def open_through_arrival(stack: Stack, prefix: str, count: int) -> list[str]:
    """Start ``count`` placements and wait until they are through their arrival work (events
    stored, notifications delivered); their ids."""
    run = uuid.uuid4().hex[:8]
    ids = [f"{prefix}-{run}-{n}" for n in range(count)]
    # Arrived a minute ago: every clock runs for days, so nothing escalates while we measure.
    arrived = datetime.now(UTC) - timedelta(minutes=1)
    await gather_limited(
        [
            partial(
                start_placement,
                stack.client,
                start_command(pid, arrived),
                policy=Policy(),
                task_queue=stack.task_queue,
            )
            for pid in ids
        ]
    )
    await wait_for_count(
        stack.pool,
        "SELECT count(*) FROM notifications WHERE stream_id LIKE $1 AND status = 'delivered'",
        count * 6,
        f"{prefix}-{run}-%",
    )
    return ids


async def measure(stack: Stack, count: int) -> OpenFigures:
    empty = resident_mib()
    ids = await open_through_arrival(stack, "BO", count)
    opened = resident_mib()
    sample = random.Random(7).sample(ids, min(SAMPLE, count))
    handovers = await timed_ms(partial(handover, stack.client), sample)
    states = await timed_ms(partial(current_state, stack.client), sample)
    return OpenFigures(
        count=count,
        rss_empty_mib=empty,
        rss_open_mib=opened,
        **query_percentiles(handovers, states),
    )


def query_percentiles(handovers: list[float], states: list[float]) -> dict[str, float]:
    """The p50 and p99 of the handover and state reads, by their figures' names."""
    return {
        "handover_p50_ms": percentile(handovers, 0.50),
        "handover_p99_ms": percentile(handovers, 0.99),
        "state_p50_ms": percentile(states, 0.50),
        "state_p99_ms": percentile(states, 0.99),
    }


async def measure_in_new_process(count: int) -> OpenFigures:
    """``measure`` on a stack of its own, in a new Python process."""
    return OpenFigures(**await figures_of_new_process("bench.open_placements", count))


def describe(figures: OpenFigures) -> list[str]:
    return [
        f"worker memory: {figures.rss_empty_mib:.0f} MiB with no placement open, "
        f"{figures.rss_open_mib:.0f} MiB with {figures.count} open and cached: "
        f"{figures.kib_per_placement:.0f} KiB a placement",
        f"  handover query p50 {figures.handover_p50_ms:.1f} ms, p99 "
        f"{figures.handover_p99_ms:.1f} ms; state query p50 {figures.state_p50_ms:.1f} ms, "
        f"p99 {figures.state_p99_ms:.1f} ms (with {figures.count} open)",
    ]


if __name__ == "__main__":
    print_figures_of_own_stack(measure, 1000)
