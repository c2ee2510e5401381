"""Helpers for the tests of the command line and the HTTP API."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import httpx
from click.testing import Result

from safeside.db import Pool

Cli = Callable[..., Awaitable[Result]]
StartedPlacement = Callable[..., Awaitable[str]]


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 15.0) -> None:
    """Wait until ``check`` holds: events reach PostgreSQL a moment after the workflow."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the condition did not hold in time")
        await asyncio.sleep(0.1)


async def trail_length(pool: Pool, placement_id: str) -> int:
    count: int = await pool.fetchval(
        "SELECT count(*) FROM events WHERE stream_id = $1", placement_id
    )
    return count


async def record_observation(api: httpx.AsyncClient, placement_id: str) -> int:
    """Record an observation through the API (200 expected); the placement's new version."""
    observed = {
        "category": "mood",
        "note_reference_or_text": "NOTE-1",
        "observed_at": datetime.now(UTC).isoformat(),
    }
    answer = await api.post(f"/placements/{placement_id}/actions/observation", json=observed)
    assert answer.status_code == 200, answer.text
    version: int = answer.json()["version"]
    return version
