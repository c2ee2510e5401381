"""/health, and 503 (never 500) when a server cannot be reached."""

from __future__ import annotations

import httpx

from safeside.db import create_pool
from starter.api.app import create_app
from starter.services.connection import Services
from tests.support.organisation import given_home
from tests.support.security import bearer
from tests.support.servers import start_dev_server
from workflows.domain.policy import Policy


def _duty_manager_calling(services: Services) -> httpx.AsyncClient:
    """The API over ``services`` (one of whose servers is out of reach), as a Duty Manager."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(services)),
        base_url="http://safeside.test",
        headers=bearer("duty_manager"),
    )


async def test_health_is_ok_when_both_servers_answer(api: httpx.AsyncClient) -> None:
    answer = await api.get("/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "temporal": "ok", "postgres": "ok"}


async def test_an_unreachable_postgres_gives_503_with_a_way_out(
    services: Services, database_url: str
) -> None:
    closed = await create_pool(database_url, max_size=1)
    await closed.close()
    without_postgres = Services(services.client, closed, services.settings, Policy())
    async with _duty_manager_calling(without_postgres) as api:
        listed = await api.get("/placements")
        health = await api.get("/health")
    assert listed.status_code == 503
    assert "make run" in listed.json()["detail"]
    assert health.status_code == 503
    assert health.json()["postgres"] == "unavailable"


async def test_a_temporal_server_that_went_away_gives_503_with_a_way_out(
    services: Services,
) -> None:
    await given_home(services.pool, "PL-0000001")
    gone = await start_dev_server()
    without_temporal = Services(gone.client, services.pool, services.settings, Policy())
    api = _duty_manager_calling(without_temporal)
    await gone.shutdown()
    async with api:
        shown = await api.get("/placements/PL-0000001")
        health = await api.get("/health")
    assert shown.status_code == 503
    assert "make run" in shown.json()["detail"]
    assert health.json()["temporal"] == "unavailable"
