"""A worker, the HTTP API and the command line, all against the dev server and this test's own
database and task queue."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import pytest_asyncio
from click.testing import CliRunner, Result
from temporalio.testing import WorkflowEnvironment

from safeside.db import Pool
from safeside.log import configure_logging
from safeside.settings import Settings
from starter.api.app import create_app
from starter.cli import cli
from starter.services.connection import Services
from starter.services.recording import start_placement_workflow
from tests.support.asgi_browser import browser_on
from tests.support.organisation import seed_test_organisation
from tests.support.placements import new_placement_id, start_command
from tests.support.security import bearer, security_env, security_settings
from tests.support.sessions import OpenSession, open_session
from tests.support.starter import Cli, StartedPlacement
from worker import build_worker
from workflows.domain.policy import Policy


@pytest.fixture
def settings(dev_env: WorkflowEnvironment, database_url: str, task_queue: str) -> Settings:
    return security_settings(
        temporal_address=dev_env.client.service_client.config.target_host,
        database_url=database_url,
        task_queue=task_queue,
        log_level="WARNING",
    )


@pytest_asyncio.fixture(loop_scope="session")
async def worker(
    dev_env: WorkflowEnvironment, pool: Pool, settings: Settings
) -> AsyncIterator[None]:
    async with build_worker(dev_env.client, pool, settings):
        yield


@pytest_asyncio.fixture(loop_scope="session")
async def services(dev_env: WorkflowEnvironment, pool: Pool, settings: Settings) -> Services:
    """The services, in the tests' organisation (``tests.support.organisation``)."""
    await seed_test_organisation(pool)
    return Services(client=dev_env.client, pool=pool, settings=settings, policy=Policy())


@pytest_asyncio.fixture(loop_scope="session")
async def api(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """The API as the Registered Manager (staff-01) calls it; other roles pass ``headers=``
    with ``tests.support.security.bearer(role)``."""
    transport = httpx.ASGITransport(app=create_app(services))
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://safeside.test",
        headers=bearer("registered_manager", "staff-01"),
    ) as client:
        yield client


@pytest_asyncio.fixture(loop_scope="session")
async def web(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """The app as a browser with no session calls it: send a session's ``cookie_header``
    (``manager``, or ``tests.support.sessions.open_session``)."""
    async with browser_on(create_app(services)) as client:
        yield client


@pytest_asyncio.fixture(loop_scope="session")
async def manager(services: Services) -> OpenSession:
    """A web session of the Registered Manager (staff-01), as if signed in."""
    return await open_session(services, "registered_manager", "staff-01")


def settings_env(settings: Settings) -> dict[str, str | None]:
    return security_env() | {
        "SAFESIDE_TEMPORAL_ADDRESS": settings.temporal_address,
        "SAFESIDE_DATABASE_URL": settings.database_url,
        "SAFESIDE_TASK_QUEUE": settings.task_queue,
        "SAFESIDE_LOG_LEVEL": "WARNING",
        # A token in the surrounding shell must not sign the tests' commands in.
        "SAFESIDE_TOKEN": None,
    }


@pytest.fixture
def safeside(settings: Settings) -> Cli:
    """Run ``safeside ARGS`` in-process. In a thread: the command runs its own event loop,
    while the worker keeps running on the test's."""

    async def invoke(
        *args: str, env: dict[str, str | None] | None = None, stdin: str | None = None
    ) -> Result:
        runner = CliRunner()
        try:
            return await asyncio.to_thread(
                runner.invoke,
                cli,
                list(args),
                input=stdin,
                env=settings_env(settings) | (env or {}),
            )
        finally:
            # The command pointed logging at the runner's captured stream, now closed.
            configure_logging("console", "WARNING")

    return invoke


@pytest.fixture
def started(services: Services) -> StartedPlacement:
    """Start a placement that arrived ``hours_ago`` (default 1); return its id."""

    async def start(hours_ago: float = 1, policy: Policy | None = None) -> str:
        placement_id = new_placement_id()
        arrived = datetime.now(UTC) - timedelta(hours=hours_ago)
        await start_placement_workflow(
            services, start_command(placement_id, arrived), policy=policy
        )
        return placement_id

    return start
