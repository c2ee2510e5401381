"""A year of hourly whereabouts checks on one unit, on the time-skipping server, at the default
history bound and persistence batching: how many runs continue-as-new makes, the largest
history any run reached, and the wall time per check.

Run alone: ``.venv/bin/python -m bench.unit_year [DAYS]`` (365 by default; about 25 ms a
check on a 2-core machine, so a year takes a few minutes).
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from safeside.contracts.workflows import DEFAULT_MAX_HISTORY_LENGTH, DEFAULT_PERSIST_WITHIN
from safeside.log import configure_logging
from tests.support.servers import start_time_skipping
from tests.support.units import running_unit
from workflows.domain.common import RiskLevel


@dataclass(frozen=True)
class UnitYearFigures:
    days: int
    checks: int
    runs: int
    largest_history: int
    appends: int
    seconds: float


async def measure(days: int = 365) -> UnitYearFigures:
    env = await start_time_skipping()
    try:
        async with running_unit(
            env,
            f"bench-{uuid.uuid4().hex[:8]}",
            max_history_length=DEFAULT_MAX_HISTORY_LENGTH,
            persist_within=DEFAULT_PERSIST_WITHIN,
        ) as unit:
            await unit.admit(RiskLevel.medium)
            began = time.perf_counter()
            for _ in range(24 * days):
                await unit.env.sleep(timedelta(minutes=55))
                await unit.check()
            elapsed = time.perf_counter() - began
            lengths = await unit.history_lengths()
            state = await unit.state()
            appends = unit.fakes.append_calls
    finally:
        await env.shutdown()
    return UnitYearFigures(
        days=days,
        checks=state.checks_recorded,
        runs=len(lengths),
        largest_history=max(lengths),
        appends=appends,
        seconds=elapsed,
    )


def describe(figures: UnitYearFigures) -> list[str]:
    return [
        f"unit, {figures.days} days of hourly checks: {figures.checks} checks, {figures.runs} "
        f"runs, largest history {figures.largest_history} events (bound "
        f"{DEFAULT_MAX_HISTORY_LENGTH}, warning threshold 10,240)",
        f"  {figures.appends} appends ({figures.checks / max(figures.appends, 1):.1f} checks "
        f"a batch); {1000 * figures.seconds / max(figures.checks, 1):.1f} ms a check",
    ]


if __name__ == "__main__":
    configure_logging("console", "WARNING")
    print("\n".join(describe(asyncio.run(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 365)))))
