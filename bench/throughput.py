"""Placement intake and escalation under load, as ratios to the server's own limit.

Measured on the bench stack (``bench.stack``) with the real worker and activities. The
baseline is measured in the same run on the same server: a workflow that runs one no-op
activity and completes. Nothing built on this server can go faster, so our speeds are
fractions of it. Run by ``python -m bench`` (``make bench-quick``, ``make bench``).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from temporalio.client import Client

from bench.baseline_workflow import BaselineWorkflow
from bench.stack import BASELINE_QUEUE
from safeside.db import Pool
from starter.services.placements import start_placement
from tests.support import placements
from workflows.domain.commands import StartPlacement
from workflows.domain.common import Role
from workflows.domain.ladders import EscalationStep
from workflows.domain.policy import ClockPolicy, Clocks, Policy

# A residential unit houses a handful of children: spread the placements over many units, as a
# council's would be (one unit with a thousand residents is not a case the unit workflow serves).
CHILDREN_PER_UNIT = 8


def start_command(placement_id: str, arrived_at: datetime) -> StartPlacement:
    number = int(placement_id.rsplit("-", 1)[1])
    return placements.start_command(
        placement_id,
        arrived_at,
        looked_after_since=arrived_at.date(),
        unit_id=f"BENCH-UNIT-{number // CHILDREN_PER_UNIT}",
    )


def leaflet_policy(within: timedelta) -> Policy:
    """The leaflet clock shortened, with one step: the Duty Manager at expiry."""
    step = EscalationStep(name="duty_manager", offset=timedelta(0), notify_role=Role.duty_manager)
    clocks = Clocks(
        leaflet=ClockPolicy(requirement="R1", responsible_role=Role.key_worker, ladder=(step,))
    )
    return Policy(leaflet_within=within, clocks=clocks)


async def gather_limited(jobs: list[Callable[[], Awaitable[object]]], limit: int = 50) -> None:
    gate = asyncio.Semaphore(limit)

    async def one(job: Callable[[], Awaitable[object]]) -> None:
        async with gate:
            await job()

    await asyncio.gather(*(one(job) for job in jobs))


async def wait_for_count(pool: Pool, sql: str, expected: int, *args: object) -> float:
    """Poll until the query counts ``expected``; return when (monotonic) it first did."""
    while True:
        count = await pool.fetchval(sql, *args)
        if count >= expected:
            return time.monotonic()
        await asyncio.sleep(0.05)


# Run first on a new stack, unmeasured: a new process's first-use costs (imports, the first
# instance of each workflow, connections) are not part of either steady rate.
WARM_UP = 16


async def warm_up(client: Client, pool: Pool, queue: str) -> None:
    await measure_baseline(client, WARM_UP)
    await measure_intake(client, pool, queue, WARM_UP)


async def measure_baseline(client: Client, count: int) -> float:
    started = time.monotonic()
    handles = []

    async def start_one() -> None:
        handles.append(
            await client.start_workflow(
                BaselineWorkflow.run, id=f"bench-base-{uuid.uuid4().hex}", task_queue=BASELINE_QUEUE
            )
        )

    await gather_limited([start_one for _ in range(count)])
    await asyncio.gather(*(handle.result() for handle in handles))
    return count / (time.monotonic() - started)


async def measure_intake(client: Client, pool: Pool, queue: str, count: int) -> float:
    """Placements started and through their arrival work: events stored, notifications
    delivered (police, UKVI, social worker, placing and host authorities, interpreters)."""
    run = uuid.uuid4().hex[:8]
    ids = [f"BI-{run}-{n}" for n in range(count)]
    arrived = datetime.now(UTC) - timedelta(minutes=5)
    started = time.monotonic()
    await gather_limited(
        [
            partial(
                start_placement,
                client,
                start_command(pid, arrived),
                policy=Policy(),
                task_queue=queue,
            )
            for pid in ids
        ]
    )
    done = await wait_for_count(
        pool,
        "SELECT count(*) FROM notifications WHERE stream_id LIKE $1 AND status = 'delivered'",
        count * 6,
        f"BI-{run}-%",
    )
    return count / (done - started)


@dataclass(frozen=True)
class Escalation:
    rate: float  # escalations delivered per second, from the common due time
    lateness_p50: float  # seconds from the due time to the notification delivered
    lateness_p99: float


async def measure_escalation(client: Client, pool: Pool, queue: str, count: int) -> Escalation:
    """``count`` placements whose leaflet deadline falls at the same instant; how fast the
    Duty Manager's notifications go out, and how late each is after its due time."""
    run = uuid.uuid4().hex[:8]
    within = timedelta(minutes=10)
    policy = leaflet_policy(within)
    # Leave time to start every placement before the common due time.
    due_at = datetime.now(UTC) + timedelta(seconds=20 + count // 20)
    arrived = due_at - within
    await gather_limited(
        [
            partial(
                start_placement,
                client,
                start_command(f"BE-{run}-{n}", arrived),
                policy=policy,
                task_queue=queue,
            )
            for n in range(count)
        ]
    )
    pattern = f"BE-{run}-%"
    query = """SELECT count(*) FROM notifications
                WHERE stream_id LIKE $1 AND purpose = 'escalation' AND status = 'delivered'"""
    await wait_for_count(pool, query, count, pattern)
    rows = await pool.fetch(
        """SELECT delivered_at FROM notifications
            WHERE stream_id LIKE $1 AND purpose = 'escalation' AND status = 'delivered'""",
        pattern,
    )
    lateness = sorted((row["delivered_at"] - due_at).total_seconds() for row in rows)
    return Escalation(
        rate=count / max(lateness[-1], 1e-6),
        lateness_p50=percentile(lateness, 0.50),
        lateness_p99=percentile(lateness, 0.99),
    )


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]
