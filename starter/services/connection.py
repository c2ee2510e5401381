"""What a door needs to serve a request: the Temporal client, the PostgreSQL pool, the settings
and the policy in force, opened once per process; and what the process keeps for PostgreSQL's
outages (what it said last of each caller, the API's access-log spool)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from temporalio.client import Client

from safeside.db import Pool, create_pool
from safeside.policy_file import load_policy
from safeside.settings import Settings
from safeside.temporal import connect
from starter.services.spool import Spool
from starter.services.standings import KnownStandings
from workflows.domain.policy import Policy


@dataclass(frozen=True)
class Services:
    client: Client
    pool: Pool
    settings: Settings
    policy: Policy
    # What PostgreSQL said last of each caller, for reads while it does not answer: one memory
    # per process, whatever door the request came in by (``standings``).
    known: KnownStandings = field(default_factory=KnownStandings, compare=False, repr=False)
    # Where the access log's entries wait while PostgreSQL does not answer: the API's alone,
    # which drains it (``access_log``); without one, such a read is refused.
    access_spool: Spool | None = None


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
