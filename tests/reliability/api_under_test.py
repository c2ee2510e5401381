"""The HTTP API with real servers behind it (Temporal dev server, PostgreSQL, a worker), a
registered manager's token and one open placement, for the tests that throw requests at it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from temporalio.client import Client

from safeside.db import Pool, create_pool
from safeside.temporal import data_converter
from starter.api.app import create_app
from starter.services.connection import Services
from tests.support.organisation import seed_test_organisation
from tests.support.security import bearer, security_settings
from worker import build_worker
from workflows.domain.policy import Policy

# The caller: staff-01 manages UNIT-7, where the placement starts (need to know).
CALLER = bearer("registered_manager", "staff-01")
UNIT_ID = "UNIT-7"


@dataclass
class Api:
    app: FastAPI
    http: httpx.AsyncClient
    pool: Pool
    placement_id: str
    loop: asyncio.AbstractEventLoop

    def call(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        """From hypothesis's thread, run a request on the test's event loop."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=120)

    async def version(self) -> int:
        answer = await self.http.get(f"/placements/{self.placement_id}")
        assert answer.status_code == 200
        version: int = answer.json()["version"]
        return version


# Bodies carry no actor: the API records the caller, from the bearer token.
def start_body(placement_id: str) -> dict[str, Any]:
    arrived = datetime.now(UTC) - timedelta(hours=1)
    return {
        "placement_id": placement_id,
        "case_reference": "CASE-1",
        "unit_id": UNIT_ID,
        "first_language": "Tigrinya",
        "looked_after_since": (arrived - timedelta(days=2)).date().isoformat(),
        "arrived_at": arrived.isoformat(),
        "placing_authority": "Example Borough Council",
        "social_worker_reference": "sw-204",
        "initial_risk_level": "high",
        "ukvi_relevant": True,
    }


def leaflet_body() -> dict[str, Any]:
    return {
        "language": "Tigrinya",
        "interpreter_reference": "INT-55",
        "child_understanding": "understood",
        "delivered_at": datetime.now(UTC).isoformat(),
    }


@asynccontextmanager
async def api_with_a_placement(
    temporal_address: str, database_url: str, task_queue: str
) -> AsyncIterator[Api]:
    app_settings = security_settings(
        temporal_address=temporal_address,
        database_url=database_url,
        task_queue=task_queue,
        log_level="WARNING",
    )
    client = await Client.connect(temporal_address, data_converter=data_converter(app_settings))
    pool = await create_pool(database_url, max_size=8)
    await seed_test_organisation(pool)
    services = Services(client=client, pool=pool, settings=app_settings, policy=Policy())
    app = create_app(services)
    try:
        async with (
            build_worker(client, pool, app_settings),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://safeside.test",
                headers=CALLER,
                timeout=60,
            ) as http,
        ):
            placement_id = f"PL-fuzz-{task_queue[-8:]}"
            started = await http.post("/placements", json=start_body(placement_id))
            assert started.status_code == 201, started.text
            yield Api(app, http, pool, placement_id, asyncio.get_running_loop())
    finally:
        await pool.close()
