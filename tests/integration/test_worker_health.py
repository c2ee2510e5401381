"""The worker's health server (SAFESIDE_WORKER_HEALTH_PORT): live while the process answers,
ready only while the worker polls its task queue, metrics behind the metrics token."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest
from pydantic import SecretStr
from temporalio.testing import WorkflowEnvironment

from safeside.db import Pool
from safeside.embedded.processes import free_port
from safeside.worker_health import serving_worker_health
from tests.support.faults import clean_env, spawn_worker
from tests.support.security import security_env, security_settings
from tests.support.starter import eventually
from worker import build_worker, serve_worker

METRICS_TOKEN = "scraper-token-" + "z" * 24


async def test_the_worker_is_ready_only_while_it_polls_and_live_throughout(
    dev_env: WorkflowEnvironment, pool: Pool, database_url: str, task_queue: str
) -> None:
    settings = security_settings(
        temporal_address=dev_env.client.service_client.config.target_host,
        database_url=database_url,
        task_queue=task_queue,
        worker_health_port=free_port(),
        metrics_token=SecretStr(METRICS_TOKEN),
    )
    worker = build_worker(dev_env.client, pool, settings)
    stop = asyncio.Event()
    async with (
        serving_worker_health(dev_env.client, pool, worker, settings) as url,
        httpx.AsyncClient(base_url=str(url)) as http,
    ):
        assert url == f"http://127.0.0.1:{settings.worker_health_port}"
        before = await http.get("/health/ready")
        assert (before.status_code, before.json()) == (
            503,
            {"status": "unavailable", "temporal": "ok", "postgres": "ok", "worker": "unavailable"},
        )
        assert (await http.get("/health/live")).status_code == 200

        serving = asyncio.create_task(serve_worker(worker, settings, stop))

        async def ready() -> bool:
            return (await http.get("/health/ready")).status_code == 200

        await eventually(ready)
        unauthorised = await http.get("/metrics")
        metrics = await http.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})

        stop.set()
        await serving
        after = await http.get("/health/ready")
        still_live = await http.get("/health/live")

    assert unauthorised.status_code == 401
    assert metrics.status_code == 200
    assert "safeside_database_up 1.0" in metrics.text
    assert "safeside_deadlines_overdue" in metrics.text
    assert (after.status_code, after.json()["worker"]) == (503, "unavailable")
    assert still_live.status_code == 200


async def test_the_health_server_is_off_unless_a_port_is_set(
    dev_env: WorkflowEnvironment, pool: Pool, database_url: str
) -> None:
    settings = security_settings(database_url=database_url)
    worker = build_worker(dev_env.client, pool, settings)
    async with serving_worker_health(dev_env.client, pool, worker, settings) as url:
        assert url is None


# The SDK's own words about the busy port come between the two halves.
@pytest.mark.parametrize(
    ("setting", "value", "begins", "ends"),
    [
        (
            "SAFESIDE_WORKER_HEALTH_PORT",
            "{port}",
            "safeside worker: port {port} for the worker's health server cannot be used on "
            "127.0.0.1 (",
            "): choose another with SAFESIDE_WORKER_HEALTH_PORT, or unset it",
        ),
        (
            "SAFESIDE_TEMPORAL_METRICS_ADDRESS",
            "127.0.0.1:{port}",
            "safeside worker: the Temporal SDK metrics cannot be served at 127.0.0.1:{port} (",
            "): choose another host:port with SAFESIDE_TEMPORAL_METRICS_ADDRESS, or unset it",
        ),
    ],
)
async def test_a_busy_port_stops_the_worker_with_one_line_naming_the_setting(
    dev_env: WorkflowEnvironment,
    database_url: str,
    setting: str,
    value: str,
    begins: str,
    ends: str,
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        process = await spawn_worker(
            clean_env(
                SAFESIDE_TEMPORAL_ADDRESS=dev_env.client.service_client.config.target_host,
                SAFESIDE_DATABASE_URL=database_url,
                **security_env(),
                **{setting: value.format(port=port)},
            )
        )
        _, err = await asyncio.wait_for(process.communicate(), 60)
    last = err.decode().strip().splitlines()[-1]
    assert process.returncode == 1
    assert last.startswith(begins.format(port=port)), last
    assert last.endswith(ends), last
    assert "Traceback" not in err.decode()
