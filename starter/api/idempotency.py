"""The ``Idempotency-Key`` header, kept in PostgreSQL (``api_idempotency_keys``) so a retry
reaches the same answer from any API process.

- a new key: the request runs and its answer (a success or a refusal) is stored;
- the same key with the same request: the stored answer again, nothing run twice;
- the same key with another request: 422, the key is not reused;
- the same key while the first request still runs: 409, retry later. A claim left by a process
  that died mid-request is taken over after ``ABANDONED_AFTER``.

An answer that says nothing about the request (a server unreachable) is not stored: the key is
released, so the retry the client will make can succeed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from safeside.db import Pool

ABANDONED_AFTER = timedelta(minutes=2)


class IdempotencyKeyReused(Exception):
    pass


class IdempotencyKeyInUse(Exception):
    pass


class StoredAnswer(BaseModel):
    model_config = ConfigDict(frozen=True)

    status_code: int
    body: dict[str, Any]
    replayed: bool


Outcome = tuple[int, dict[str, Any]]


def request_hash(request: BaseModel) -> str:
    """The same for two requests that mean the same, however their JSON was spaced or ordered."""
    canonical = json.dumps(request.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def answer_once(
    pool: Pool, route: str, key: str, request: BaseModel, run: Callable[[], Awaitable[Outcome]]
) -> StoredAnswer:
    """Run the request under ``key`` once; later calls with the same key get its answer."""
    digest = request_hash(request)
    stored = await _claim(pool, route, key, digest)
    if stored is not None:
        return stored
    try:
        status_code, body = await run()
    except BaseException:
        await pool.execute(
            "DELETE FROM api_idempotency_keys WHERE route = $1 AND key = $2 "
            "AND status_code IS NULL",
            route,
            key,
        )
        raise
    await pool.execute(
        """UPDATE api_idempotency_keys
              SET status_code = $3, response = $4, completed_at = now()
            WHERE route = $1 AND key = $2""",
        route,
        key,
        status_code,
        body,
    )
    return StoredAnswer(status_code=status_code, body=body, replayed=False)


async def _claim(pool: Pool, route: str, key: str, digest: str) -> StoredAnswer | None:
    """None when this request now holds the key; else the stored answer to replay."""
    async with pool.acquire() as con, con.transaction():
        claimed = await con.fetchval(
            """INSERT INTO api_idempotency_keys (route, key, request_hash)
               VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING true""",
            route,
            key,
            digest,
        )
        if claimed:
            return None
        row = await con.fetchrow(
            """SELECT request_hash, status_code, response,
                      status_code IS NULL AND created_at < now() - $3::interval AS abandoned
                 FROM api_idempotency_keys WHERE route = $1 AND key = $2 FOR UPDATE""",
            route,
            key,
            ABANDONED_AFTER,
        )
        if row is None:  # released by a failed first request since our insert was refused
            raise IdempotencyKeyInUse(
                "a request with this Idempotency-Key has just failed: send it again"
            )
        if row["request_hash"] != digest:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was already used with a different request: "
                "use a new key for a new request"
            )
        if row["status_code"] is None:
            if not row["abandoned"]:
                raise IdempotencyKeyInUse(
                    "a request with this Idempotency-Key is still being served: "
                    "retry in a few seconds"
                )
            await con.execute(
                "UPDATE api_idempotency_keys SET created_at = now() WHERE route = $1 AND key = $2",
                route,
                key,
            )
            return None
        return StoredAnswer(status_code=row["status_code"], body=row["response"], replayed=True)
