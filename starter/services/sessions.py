"""Sessions ended on the server (``0007_ended_sessions.sql``): signing out records the token's
id, and every check of a token, at either door (the API's bearer token, the web page's
cookie), refuses an id recorded here. A token is otherwise self-contained, so without this a
copied cookie would keep working until it expired.

``EndedSessions`` is the port both doors use; ``PostgresEndedSessions`` is the one the app
runs with, one indexed read per request. While PostgreSQL does not answer, its last answer
about a token is used within the grace (``starter.services.remembered``). Token ids are random,
so nothing here names anyone.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from safeside.db import Pool
from safeside.tokens import LEEWAY, VerifiedToken
from starter.services.remembered import Remembered, asked


class EndedSessions(Protocol):
    async def end(self, token: VerifiedToken) -> None:
        """From now on, ``token`` is refused (ending it twice is the same as once)."""

    async def is_ended(self, token: VerifiedToken) -> bool: ...


class PostgresEndedSessions:
    def __init__(self, pool: Pool, *, grace: timedelta = timedelta(0)) -> None:
        self._pool = pool
        self._grace = grace
        self._known: Remembered[str, bool] = Remembered()

    async def end(self, token: VerifiedToken) -> None:
        self._known.keep(token.token_id, True)
        async with self._pool.acquire() as con, con.transaction():
            await con.execute(
                """INSERT INTO ended_sessions (jti, expires_at) VALUES ($1, $2)
                   ON CONFLICT (jti) DO NOTHING""",
                token.token_id,
                token.expires_at,
            )
            # Signing out is rare and this is cheap: rows whose token is refused for its
            # expiry anyway (leeway included) go now, so the table stays small.
            await con.execute(
                "DELETE FROM ended_sessions WHERE expires_at < now() - $1::interval", LEEWAY
            )

    async def is_ended(self, token: VerifiedToken) -> bool:
        async def ask() -> bool:
            ended: bool = await self._pool.fetchval(
                "SELECT EXISTS (SELECT 1 FROM ended_sessions WHERE jti = $1)", token.token_id
            )
            return ended

        return (await asked(ask, self._known, token.token_id, grace=self._grace)).value
