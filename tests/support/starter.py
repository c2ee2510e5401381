"""Helpers for the tests of the command line and the HTTP API."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
from click.testing import Result

from safeside.db import Pool
from starter.services.connection import Services
from starter.services.recording import start_placement_workflow
from tests.support.organisation import given_unit_with_staff
from tests.support.placements import new_placement_id, start_command
from tests.support.units import new_unit_id

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


async def placement_in_a_unit_of_its_own(services: Services, pool: Pool) -> tuple[str, str]:
    """A placement that arrived an hour ago, in a new unit where staff-01 (managers) and
    staff-17 (workers) work, its start stored; its id and the unit's. A unit's workflow
    outlives a test: a unit of its own keeps it on this test's worker."""
    placement_id, unit_id = new_placement_id(), new_unit_id()
    await given_unit_with_staff(pool, unit_id)
    arrived = datetime.now(UTC) - timedelta(hours=1)
    command = start_command(placement_id, arrived).model_copy(update={"unit_id": unit_id})
    await start_placement_workflow(services, command)

    async def started() -> bool:
        return await trail_length(pool, placement_id) >= 2

    await eventually(started)
    return placement_id, unit_id
