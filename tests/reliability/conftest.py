"""Servers and clients for the reliability tests. The Temporal dev server here is their own:
the load test keeps it busy, and every worker (in this process or another) shares the client's
encryption keyring, made for this session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from safeside.embedded.postgres import EmbeddedPostgres
from safeside.embedded.processes import find_binary, free_port
from safeside.keyring import new_keyring
from tests.reliability.api_under_test import Api, api_with_a_placement
from tests.support.faults import FIGURES, connect_client


@pytest.fixture(scope="session")
def keyring_env() -> dict[str, str]:
    return {"SAFESIDE_ENCRYPTION_KEY": new_keyring().to_json()}


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def reliability_temporal() -> AsyncIterator[str]:
    """The address of an in-memory dev server for these tests."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(find_binary("temporal"))
    )
    yield env.client.service_client.config.target_host
    await env.shutdown()


@pytest_asyncio.fixture(loop_scope="session")
async def client(reliability_temporal: str, keyring_env: dict[str, str]) -> Client:
    return await connect_client(reliability_temporal, keyring_env)


@pytest_asyncio.fixture(loop_scope="session")
async def api(reliability_temporal: str, database_url: str, task_queue: str) -> AsyncIterator[Api]:
    """The HTTP API on this test's own database and task queue, with one open placement."""
    async with api_with_a_placement(reliability_temporal, database_url, task_queue) as api:
        yield api


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("reliability figures")
        for name, value in sorted(FIGURES.items()):
            terminalreporter.write_line(f"{name}: {value}")


@pytest_asyncio.fixture(loop_scope="session")
async def own_postgres(server_tmp_path: Path) -> AsyncIterator[EmbeddedPostgres]:
    """A PostgreSQL of the test's own, to stop and start under it."""
    server = EmbeddedPostgres(server_tmp_path / "pgdata", port=free_port(), durable=False)
    await server.start()
    yield server
    await server.stop()
