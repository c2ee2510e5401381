from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from activities.event_store import EventStore
from safeside.db import Pool, create_pool
from workflows.domain.policy import Policy


@pytest_asyncio.fixture(loop_scope="session")
async def pool(database_url: str) -> AsyncIterator[Pool]:
    pool = await create_pool(database_url, max_size=8)
    yield pool
    await pool.close()


@pytest_asyncio.fixture(loop_scope="session")
async def store(pool: Pool) -> EventStore:
    return EventStore(pool, Policy())
