"""Ten thousand open placements on one worker whose workflow cache holds a tenth of them.

In a process of its own (``measure_in_new_process``), on a fresh bench stack whose worker keeps
the SDK's default workflow cache (``CACHE_SLOTS`` workflows, the least recently used evicted
first; set here, as Safeside's own default is larger): the worker process's resident memory
(the worker, its client and the bench) with no placement open, then with ``count`` placements
open, 8 to a unit (so a unit workflow for every 8), through their arrival work. Then the two
reads the API and the web page make of a placement's workflow, the handover and the whole
state, timed one after another over placements that are no longer in the worker's cache: the
worker must fetch each one's history and replay it before it can answer.

How they are known to be evicted: they are drawn from the placements started earliest, each
with at least ``CACHE_SLOTS`` placements started after it and through their arrival work (every
workflow task of those, and of their units, takes a cache slot), so by the time of the reads
the earliest are the least recently used and gone. A read puts its placement back in the
cache, so the handover and state reads go to two separate samples, and neither finds a
placement the other brought back. For contrast, the state read is also timed over the
placements started last, which are still cached.

Run alone: ``.venv/bin/python -m bench.many_placements [COUNT]`` (prints progress to stderr and
the figures as JSON on stdout).
"""

from __future__ import annotations

import asyncio
import inspect
import random
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from temporalio.worker import Worker

from bench.open_placements import OpenFigures, query_percentiles, resident_mib, timed_ms
from bench.stack import Stack, figures_of_new_process, print_figures_of_own_stack
from bench.throughput import gather_limited, percentile, start_command
from starter.services.placements import current_state, handover, start_placement
from workflows.domain.policy import Policy

CACHE_SLOTS: int = inspect.signature(Worker.__init__).parameters["max_cached_workflows"].default
# Reads timed for each of the handover and the state, and on cached placements for contrast.
SAMPLE = 300
CACHED_SAMPLE = 100
PROGRESS_EVERY = 1000
# Police, UKVI, social worker, placing and host authorities, interpreters.
NOTIFICATIONS_AT_ARRIVAL = 6


@dataclass(frozen=True)
class ManyFigures(OpenFigures):
    """The figures of ``open_placements`` (its reads here on placements no longer cached),
    and the cache's own."""

    cache_slots: int
    start_seconds: float  # from the first start to the last placement's arrival work done
    cached_state_p50_ms: float


def smallest() -> int:
    """The fewest placements for two samples each started before ``CACHE_SLOTS`` others."""
    return 2 * SAMPLE + CACHE_SLOTS


def progress(message: str) -> None:
    print(f"    many placements: {message}", file=sys.stderr, flush=True)


async def start_all(stack: Stack, ids: list[str]) -> None:
    """Start every placement, ``gather_limited`` at a time, saying how far it has got."""
    # Arrived a minute ago: every clock runs for days, so nothing escalates while we measure.
    arrived = datetime.now(UTC) - timedelta(minutes=1)
    began, started = time.monotonic(), 0

    async def start(placement_id: str) -> None:
        nonlocal started
        await start_placement(
            stack.client,
            start_command(placement_id, arrived),
            policy=Policy(),
            task_queue=stack.task_queue,
        )
        started += 1
        if started % PROGRESS_EVERY == 0 or started == len(ids):
            progress(f"{started:,} of {len(ids):,} started ({time.monotonic() - began:.0f} s)")

    await gather_limited([partial(start, pid) for pid in ids])


async def wait_for_arrivals(stack: Stack, pattern: str, count: int) -> None:
    """Until every placement's arrival work is done (its six notifications delivered), saying
    how far it has got."""
    began, said = time.monotonic(), 0
    while True:
        delivered = await stack.pool.fetchval(
            "SELECT count(*) FROM notifications WHERE stream_id LIKE $1 AND status = 'delivered'",
            pattern,
        )
        done = min(delivered // NOTIFICATIONS_AT_ARRIVAL, count)
        if done // PROGRESS_EVERY > said // PROGRESS_EVERY:
            progress(f"{done:,} through their arrival work ({time.monotonic() - began:.0f} s more)")
            said = done
        if delivered >= count * NOTIFICATIONS_AT_ARRIVAL:
            return
        # Not too often: the count reads every notification so far, on the same two cores.
        await asyncio.sleep(0.5)


def evicted_samples(ids: list[str]) -> tuple[list[str], list[str]]:
    """Two separate random samples from the placements with ``CACHE_SLOTS`` started after."""
    earliest = ids[: max(2 * SAMPLE, len(ids) - CACHE_SLOTS)]
    drawn = random.Random(7).sample(earliest, 2 * SAMPLE)
    return drawn[:SAMPLE], drawn[SAMPLE:]


async def measure(stack: Stack, count: int) -> ManyFigures:
    if count < smallest():
        raise ValueError(f"at least {smallest():,} placements, so that {SAMPLE} are evicted")
    empty = resident_mib()
    run = uuid.uuid4().hex[:8]
    ids = [f"BM-{run}-{n}" for n in range(count)]
    began = time.monotonic()
    await start_all(stack, ids)
    await wait_for_arrivals(stack, f"BM-{run}-%", count)
    took = time.monotonic() - began
    progress(f"arrival work done for all {count:,} ({took:.0f} s); reading")
    opened = resident_mib()
    for_handover, for_state = evicted_samples(ids)
    handovers = await timed_ms(partial(handover, stack.client), for_handover)
    states = await timed_ms(partial(current_state, stack.client), for_state)
    cached = await timed_ms(partial(current_state, stack.client), ids[-CACHED_SAMPLE:])
    return ManyFigures(
        count=count,
        cache_slots=CACHE_SLOTS,
        start_seconds=took,
        rss_empty_mib=empty,
        rss_open_mib=opened,
        **query_percentiles(handovers, states),
        cached_state_p50_ms=percentile(cached, 0.50),
    )


async def measure_in_new_process(count: int) -> ManyFigures:
    """``measure`` on a stack of its own, in a new Python process (its progress on stderr)."""
    return ManyFigures(**await figures_of_new_process("bench.many_placements", count))


def describe(figures: ManyFigures) -> list[str]:
    return [
        f"{figures.count:,} open placements, workflow cache of {figures.cache_slots:,}: "
        f"started and through their arrival work in {figures.start_seconds:.0f} s",
        f"  worker memory: {figures.rss_empty_mib:.0f} MiB with no placement open, "
        f"{figures.rss_open_mib:.0f} MiB with {figures.count:,} open: "
        f"{figures.kib_per_placement:.0f} KiB a placement",
        f"  not cached (replayed first): handover query p50 {figures.handover_p50_ms:.1f} ms, "
        f"p99 {figures.handover_p99_ms:.1f} ms; state query p50 {figures.state_p50_ms:.1f} ms, "
        f"p99 {figures.state_p99_ms:.1f} ms (cached, for contrast: state p50 "
        f"{figures.cached_state_p50_ms:.1f} ms)",
    ]


if __name__ == "__main__":
    print_figures_of_own_stack(measure, 10_000, worker_max_cached_workflows=CACHE_SLOTS)
