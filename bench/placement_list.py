"""How long a page of `GET /placements` and `GET /deadlines` takes with 10,000 placements.

Run alone: ``.venv/bin/python -m bench.placement_list`` (starts a throwaway embedded
PostgreSQL); ``python -m bench`` runs it too. Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.stack import throwaway_database
from safeside.db import Pool
from starter.services.lists import list_deadlines, list_placements

COUNT = 10_000
ROUNDS = 20


async def measure() -> dict[str, float]:
    """Milliseconds a page, by case."""
    with tempfile.TemporaryDirectory() as folder:
        async with throwaway_database(Path(folder), durable=False) as (_, pool):
            await fill(pool)
            last = f"PL-{COUNT - 60:06d}"
            cases = {
                "first page": lambda: list_placements(pool),
                "page near the end": lambda: list_placements(pool, after=last),
                "one unit": lambda: list_placements(pool, unit="UNIT-B"),
                "overdue": lambda: list_placements(pool, overdue=True),
                "missing": lambda: list_placements(pool, missing=True),
                "deadlines overdue": lambda: list_deadlines(pool, status="overdue"),
                "deadlines due": lambda: list_deadlines(pool, status="due"),
            }
            per_page = {}
            for name, page in cases.items():
                began = time.perf_counter()
                for _ in range(ROUNDS):
                    await page()
                per_page[name] = (time.perf_counter() - began) / ROUNDS * 1000
            return per_page


async def fill(pool: Pool) -> None:
    now = datetime.now(UTC)
    async with pool.acquire() as con, con.transaction():
        await con.executemany(
            """INSERT INTO placements (stream_id, unit_id, status, risk_level, missing,
                                       next_deadline_at, version, updated_at)
               VALUES ($1, $2, 'open', 'high', $3, NULL, 2, $4)""",
            [(f"PL-{i:06d}", f"UNIT-{'AB'[i % 2]}", i % 100 == 0, now) for i in range(COUNT)],
        )
        await con.executemany(
            """INSERT INTO open_deadlines (stream_id, deadline_id, kind, requirement, due_at,
                                           responsible_role)
               VALUES ($1, $2, split_part($2, ':', 1), 'R1', $3, 'key_worker')""",
            [
                (f"PL-{i:06d}", kind, now + timedelta(hours=(i % 200) - offset))
                for i in range(COUNT)
                for kind, offset in (("leaflet", 20), ("sw_visit:1", -100), ("lac_review:1", -600))
            ],
        )
        await con.execute("ANALYZE")


def describe(per_page: dict[str, float]) -> list[str]:
    cases = ", ".join(f"{name} {ms:.2f}" for name, ms in per_page.items())
    return [f"lists with {COUNT:,} placements, ms a page of 50: {cases}"]


if __name__ == "__main__":
    print("\n".join(describe(asyncio.run(measure()))))
