"""A year of hourly whereabouts checks on one unit, on the time-skipping server, at the default
history bound and persistence batching: how many runs continue-as-new makes, the largest
history any run reached, and the wall time per check.

Run: ``.venv/bin/python -m bench.bench_unit_year [DAYS]`` (365 by default; about 30 ms a check
on a 2-core machine, so a year takes a few minutes). The workflow test does two weeks with a
small bound; this is the full year at the real one.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from datetime import timedelta

from tests.support.servers import start_time_skipping
from tests.support.units import running_unit
from workflows.domain import RiskLevel
from workflows.unit_io import DEFAULT_MAX_HISTORY_LENGTH, DEFAULT_PERSIST_WITHIN


async def main(days: int) -> None:
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
            checks = 24 * days
            for _ in range(checks):
                await unit.env.sleep(timedelta(minutes=55))
                await unit.check()
            elapsed = time.perf_counter() - began
            lengths = await unit.history_lengths()
            state = await unit.state()
            appends = unit.fakes.append_calls
    finally:
        await env.shutdown()
    print(f"checks recorded: {state.checks_recorded} over {days} days")
    bound = DEFAULT_MAX_HISTORY_LENGTH
    print(f"runs: {len(lengths)}; largest history: {max(lengths)} events (bound {bound})")
    print(f"append activities: {appends} ({checks / max(appends, 1):.1f} checks a batch)")
    print(f"wall time: {elapsed:.1f} s ({1000 * elapsed / checks:.1f} ms a check)")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 365))
