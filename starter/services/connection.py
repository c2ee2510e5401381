"""What a door needs to serve a request: the Temporal client, the PostgreSQL pool, the settings
and the policy in force, opened once per process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from temporalio.client import Client

from safeside.db import Pool, create_pool
from safeside.policy_file import load_policy
from safeside.settings import Settings
from safeside.temporal import connect
from workflows.domain.policy import Policy


@dataclass(frozen=True)
class Services:
    client: Client
    pool: Pool
    settings: Settings
    policy: Policy


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[Pool]:
    """A small pool for one command (ServiceUnavailable, saying what to do, if unreachable)."""
    pool = await create_pool(settings.database_dsn, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()


@asynccontextmanager
async def connected(settings: Settings) -> AsyncIterator[Services]:
    """Both servers, for what needs both (the HTTP API, the demo)."""
    policy = load_policy(settings)
    client = await connect(settings)
    async with database(settings) as pool:
        yield Services(client=client, pool=pool, settings=settings, policy=policy)
