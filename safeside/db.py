"""PostgreSQL access: one pool per process, codecs registered once when each connection opens."""

from __future__ import annotations

import json
from typing import Any, TypeAlias

import asyncpg

from safeside.errors import ServiceUnavailable

Pool = asyncpg.Pool

# What a call to PostgreSQL raises when the server does not answer: stopped or unreachable, a
# connection lost, the server starting up or shutting down (57P01, 57P03), or too slow (a
# caller's timeout). The callers' cue to answer 503 with what to do, or to use what PostgreSQL
# said last (``starter.services.remembered``).
UNREACHABLE: tuple[type[Exception], ...] = (
    OSError,
    TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
)
# A request's own questions to PostgreSQL are answered within this, or taken as not answered.
ANSWER_WITHIN = 5.0
# One connection, from a pool or not (a string: asyncpg's classes are generic only in its stubs).
Connection: TypeAlias = "asyncpg.Connection[Any] | asyncpg.pool.PoolConnectionProxy[Any]"


async def _init_connection(conn: asyncpg.Connection[Any]) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


async def create_pool(url: str, *, min_size: int = 1, max_size: int = 10) -> Pool:
    try:
        pool: Pool = await asyncpg.create_pool(
            url, min_size=min_size, max_size=max_size, init=_init_connection
        )
    except (OSError, asyncpg.PostgresError) as exc:
        raise ServiceUnavailable(
            f"cannot reach PostgreSQL ({type(exc).__name__}): check SAFESIDE_DATABASE_URL "
            "or start the stack with `make run`"
        ) from exc
    return pool
