"""Placement intake and escalation under load, as ratios to the server's own limit.

Everything runs on one embedded stack started here (the Temporal dev server with its SQLite
file, an embedded PostgreSQL) with the real worker and activities; notifications go to a
channel that only counts. The baseline is measured in the same run on the same server: a
workflow that runs one no-op activity and completes. Nothing built on this server can go
faster, so our speeds are fractions of it.

Run: ``.venv/bin/python -m bench.throughput [--quick] [--runs N] [--write docs/benchmarks.md]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from temporalio.client import Client
from temporalio.worker import Worker

from activities.channels import ChannelRouter
from activities.messages import Notification
from activities.registry import build_activities
from bench.baseline_workflow import BaselineWorkflow, noop
from safeside.db import Pool, create_pool
from safeside.embedded.postgres import EmbeddedPostgres
from safeside.embedded.processes import free_port
from safeside.embedded.temporal_server import EmbeddedTemporal
from safeside.keyring import new_keyring
from safeside.log import configure_logging
from safeside.migrate import migrate
from safeside.settings import Settings
from safeside.temporal import connect
from starter.placements import start_placement
from workflows.domain import (
    Actor,
    ClockPolicy,
    Clocks,
    EscalationStep,
    Policy,
    RiskLevel,
    Role,
    StartPlacement,
)
from workflows.registry import WORKFLOWS, workflow_runner

MANAGER = Actor(role=Role.registered_manager, reference="bench-manager")


class CountingChannel:
    """Counts deliveries; sends nothing anywhere."""

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, message: Notification) -> None:
        self.sent += 1


@dataclass
class Figures:
    baseline: list[float] = field(default_factory=list)  # workflows per second
    intake: list[float] = field(default_factory=list)  # placements per second
    escalation: list[float] = field(default_factory=list)  # escalations per second
    lateness_p50: list[float] = field(default_factory=list)  # seconds, due -> delivered
    lateness_p99: list[float] = field(default_factory=list)


# A residential unit houses a handful of children: spread the placements over many units, as a
# council's would be (one unit with a thousand residents is not a case the unit workflow serves).
CHILDREN_PER_UNIT = 8


def start_command(placement_id: str, arrived_at: datetime) -> StartPlacement:
    number = int(placement_id.rsplit("-", 1)[1])
    return StartPlacement(
        actor=MANAGER,
        placement_id=placement_id,
        case_reference=f"CASE-{placement_id}",
        unit_id=f"BENCH-UNIT-{number // CHILDREN_PER_UNIT}",
        first_language="Tigrinya",
        looked_after_since=arrived_at.date(),
        arrived_at=arrived_at,
        placing_authority="Bench Borough Council",
        social_worker_reference="sw-bench",
        initial_risk_level=RiskLevel.high,
        ukvi_relevant=True,
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


async def measure_baseline(client: Client, queue: str, count: int) -> float:
    started = time.monotonic()
    handles = []

    async def start_one() -> None:
        handles.append(
            await client.start_workflow(
                BaselineWorkflow.run, id=f"bench-base-{uuid.uuid4().hex}", task_queue=queue
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


async def measure_escalation(
    client: Client, pool: Pool, queue: str, count: int, figures: Figures
) -> None:
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
    figures.escalation.append(count / max(lateness[-1], 1e-6))
    figures.lateness_p50.append(lateness[len(lateness) // 2])
    figures.lateness_p99.append(lateness[min(len(lateness) - 1, int(len(lateness) * 0.99))])


def summary(values: list[float]) -> str:
    median = statistics.median(values)
    return f"{median:.2f} (min {min(values):.2f}, max {max(values):.2f}, n={len(values)})"


def ratio(ours: list[float], baseline: list[float]) -> float:
    return statistics.median(ours) / statistics.median(baseline)


async def run(quick: bool, runs: int) -> Figures:
    sizes = (60, 60, 100) if quick else (300, 300, 1000)
    figures = Figures()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        postgres = EmbeddedPostgres(data / "postgres", port=free_port())
        temporal = EmbeddedTemporal(data / "temporal.db", port=free_port(), ui_port=None)
        await postgres.start()
        await temporal.start()
        try:
            url = await postgres.ensure_database("bench")
            await migrate(url)
            # A throwaway keyring: payloads are encrypted as in production.
            settings = Settings(
                database_url=url,
                task_queue="bench-placements",
                encryption_key=new_keyring().to_json(),
            )
            client = await connect(settings, address=temporal.address)
            pool = await create_pool(url, max_size=20)
            channel = CountingChannel()
            worker = Worker(
                client,
                task_queue=settings.task_queue,
                workflows=[*WORKFLOWS, BaselineWorkflow],
                activities=[
                    *build_activities(pool, settings, channels=ChannelRouter(default=channel)),
                    noop,
                ],
                workflow_runner=workflow_runner(),
            )
            async with worker:
                for number in range(1, runs + 1):
                    print(f"run {number}/{runs}", flush=True)
                    rate = await measure_baseline(client, settings.task_queue, sizes[0])
                    figures.baseline.append(rate)
                    print(f"  baseline (one no-op activity): {rate:.1f} workflows/s", flush=True)
                    rate = await measure_intake(client, pool, settings.task_queue, sizes[1])
                    figures.intake.append(rate)
                    print(f"  placement intake: {rate:.1f} placements/s", flush=True)
                    await measure_escalation(client, pool, settings.task_queue, sizes[2], figures)
                    print(
                        f"  escalations: {figures.escalation[-1]:.1f}/s, lateness p50 "
                        f"{figures.lateness_p50[-1]:.2f}s p99 {figures.lateness_p99[-1]:.2f}s",
                        flush=True,
                    )
            await pool.close()
        finally:
            await temporal.stop()
            await postgres.stop()
    return figures


def report(figures: Figures, quick: bool, runs: int) -> str:
    intake_ratio = ratio(figures.intake, figures.baseline)
    escalation_ratio = ratio(figures.escalation, figures.baseline)
    return "\n".join(
        [
            "# Benchmarks: throughput and escalation",
            "",
            f"Machine: {platform.platform()}, Python {platform.python_version()}, "
            f"{os.cpu_count()} cores. Command: `python -m bench.throughput"
            f"{' --quick' if quick else ''} --runs {runs}`. Medians of {runs} runs "
            "(min, max); every speed as a ratio to the baseline measured in the same run on "
            "the same dev server (SQLite file, WAL).",
            "",
            "| figure | median (min, max, n) | ratio to baseline | target |",
            "|---|---|---|---|",
            f"| baseline: workflows/s, one no-op activity | {summary(figures.baseline)} | 1 | — |",
            f"| placement intake: placements/s through arrival work | {summary(figures.intake)}"
            f" | {intake_ratio:.2f} | ≥ 0.5 |",
            f"| escalations/s, all due at the same instant | {summary(figures.escalation)}"
            f" | {escalation_ratio:.2f} | ≥ 0.5 |",
            f"| escalation lateness p50, s (due → notification delivered) | "
            f"{summary(figures.lateness_p50)} | — | — |",
            f"| escalation lateness p99, s | {summary(figures.lateness_p99)} | — | — |",
            "",
            "A job that scans for overdue cases every N minutes is late by up to N minutes "
            "(a nightly one by up to a day); here the workflow's own timer fires at the due "
            "time and the lateness above is the whole way to a delivered notification.",
            "",
            f"intake ratio {intake_ratio:.2f}, escalation ratio {escalation_ratio:.2f}",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, under 2 minutes")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--write", type=Path, default=None, help="write the report here")
    args = parser.parse_args()
    configure_logging("console", "WARNING")  # the figures, not a line per append
    runs = args.runs or (1 if args.quick else 3)
    figures = asyncio.run(run(args.quick, runs))
    text = report(figures, args.quick, runs)
    print(text)
    if args.write is not None:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
