from __future__ import annotations

import pytest_asyncio

from activities.event_store import EventStore
from safeside.db import Pool
from workflows.domain.policy import Policy


@pytest_asyncio.fixture(loop_scope="session")
async def store(pool: Pool) -> EventStore:
    return EventStore(pool, Policy())
