"""How long a page of `GET /placements` and `GET /deadlines` takes with 10,000 placements,
read as their Registered Manager: a member of both units they live in, so every list holds all
10,000 and each page pays for the need-to-know condition (``visible_placements``) as a real
caller's does.

Run alone: ``.venv/bin/python -m bench.placement_list`` (starts a throwaway embedded
PostgreSQL); ``python -m bench`` runs it too. Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.stack import throwaway_database
from safeside.db import Pool
from safeside.log import configure_logging
from safeside.tokens import Principal
from starter.services.lists import DeadlinePage, PlacementPage, list_deadlines, list_placements
from workflows.domain.common import Role

COUNT = 10_000
ROUNDS = 20
UNITS = ("UNIT-A", "UNIT-B")
# An opaque staff reference, as the directory holds it.
MANAGER = Principal(subject="BENCH-RM-1", role=Role.registered_manager)


async def measure() -> dict[str, float]:
    """Milliseconds a page, by case."""
    with tempfile.TemporaryDirectory() as folder:
        async with throwaway_database(Path(folder), durable=False) as (_, pool):
            await fill(pool)
            last = f"PL-{COUNT - 60:06d}"
            me = MANAGER
            cases: dict[str, Callable[[], Awaitable[PlacementPage | DeadlinePage]]] = {
                "first page": lambda: list_placements(pool, me),
                "page near the end": lambda: list_placements(pool, me, after=last),
                "one unit": lambda: list_placements(pool, me, unit="UNIT-B"),
                "overdue": lambda: list_placements(pool, me, overdue=True),
                "missing": lambda: list_placements(pool, me, missing=True),
                "deadlines overdue": lambda: list_deadlines(pool, me, status="overdue"),
                "deadlines due": lambda: list_deadlines(pool, me, status="due"),
            }
            # The manager sees every placement: a list that hid some would measure less.
            seen = [
                len((await cases[name]()).items) for name in ("first page", "page near the end")
            ]
            if seen != [50, 50]:
                raise RuntimeError(f"the manager sees too few placements: pages of {seen}")
            per_page = {}
            for name, page in cases.items():
                began = time.perf_counter()
                for _ in range(ROUNDS):
                    await page()
                per_page[name] = (time.perf_counter() - began) / ROUNDS * 1000
            return per_page


def unit_of(number: int) -> str:
    return UNITS[number % len(UNITS)]


async def fill(pool: Pool) -> None:
    """The projections of 10,000 open placements over two units, and the organisation that
    lets the Registered Manager see them all: both units, the manager in the staff directory
    and a member of each since yesterday, and each placement's home (written at its start)."""
    now = datetime.now(UTC)
    async with pool.acquire() as con, con.transaction():
        await con.executemany(
            """INSERT INTO placements (stream_id, unit_id, status, risk_level, missing,
                                       next_deadline_at, version, updated_at)
               VALUES ($1, $2, 'open', 'high', $3, NULL, 2, $4)""",
            [(f"PL-{i:06d}", unit_of(i), i % 100 == 0, now) for i in range(COUNT)],
        )
        await con.executemany(
            "INSERT INTO org_units (unit_id, display_name, created_at) VALUES ($1, $1, $2)",
            [(unit, now - timedelta(days=1)) for unit in UNITS],
        )
        await con.execute(
            "INSERT INTO staff (staff_ref, roles, added_at) VALUES ($1, $2, $3)",
            MANAGER.subject,
            [MANAGER.role.value],
            now - timedelta(days=1),
        )
        await con.executemany(
            "INSERT INTO unit_memberships (staff_ref, unit_id, from_at) VALUES ($1, $2, $3)",
            [(MANAGER.subject, unit, now - timedelta(days=1)) for unit in UNITS],
        )
        await con.executemany(
            "INSERT INTO placement_homes (placement_id, unit_id, placed_at) VALUES ($1, $2, $3)",
            [(f"PL-{i:06d}", unit_of(i), now) for i in range(COUNT)],
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
    return [
        f"lists with {COUNT:,} placements, read by their Registered Manager, ms a page of 50: "
        f"{cases}"
    ]


if __name__ == "__main__":
    configure_logging("console", "WARNING")
    print("\n".join(describe(asyncio.run(measure()))))
