"""The web page's sessions and the sign-ins under way, in PostgreSQL (``0010_web_sessions``).

A session is opened once the identity provider has said who someone is (the sign-in, in
``starter.web.routes.sign_in``). The browser keeps only a random value; each request finds
the session by its hash and, in the same statement, moves its idle clock on. A session is
over when its holder signed out, when it has been idle longer than the idle limit, or when
the absolute limit since it opened has passed; a session that is over is never found again.
While PostgreSQL does not answer, a session it found open within the grace
(``starter.services.remembered``) is honoured as long as PostgreSQL would still hold it open:
idle since PostgreSQL last saw it, and before its absolute limit. No session opens then.

A sign-in under way is kept from the moment the browser is sent to the provider until its
answer comes back: the state (the key), the browser that started it, the nonce and the PKCE
verifier. Its answer is taken once, by that browser, within ``SIGN_IN_TIME``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from safeside.db import Pool
from safeside.settings import Settings
from safeside.tokens import Principal
from starter.services.remembered import Remembered, asked

# How long someone may take at the provider's login page.
SIGN_IN_TIME = timedelta(minutes=10)
# How long a used or abandoned sign-in is kept, so that its answer replayed is known as such.
_SIGN_IN_KEPT = timedelta(days=1)


def _hash(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class WebSession:
    principal: Principal
    # Every form of the page carries it; random, kept with the session.
    csrf_token: str


@dataclass(frozen=True)
class _Found:
    """A session PostgreSQL found open at ``said_at`` (on its clock), and its absolute limit."""

    session: WebSession
    said_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class SignInAttempt:
    nonce: str
    code_verifier: str
    return_to: str


class NoSignIn(StrEnum):
    """Why a provider's answer does not match a sign-in under way."""

    unknown = "unknown"  # never started here, or started in another browser
    used = "used"  # answered already: a replayed answer
    expired = "expired"  # started too long ago


class WebSessions:
    def __init__(
        self,
        pool: Pool,
        *,
        idle: timedelta,
        absolute: timedelta,
        grace: timedelta = timedelta(0),
    ) -> None:
        self._pool = pool
        self.idle = idle
        self.absolute = absolute
        self._grace = grace
        self._known: Remembered[bytes, _Found | None] = Remembered()

    @classmethod
    def from_settings(cls, pool: Pool, settings: Settings) -> WebSessions:
        return cls(
            pool,
            idle=timedelta(minutes=settings.web_session_idle_minutes),
            absolute=timedelta(hours=settings.web_session_absolute_hours),
            grace=settings.outage_grace,
        )

    async def open(self, principal: Principal) -> str:
        """A new session for ``principal``: the value for the browser's cookie."""
        value = new_secret()
        await self._pool.execute(
            """INSERT INTO web_sessions (session_hash, staff_ref, role, csrf_token, expires_at)
               VALUES ($1, $2, $3, $4, now() + $5::interval)""",
            _hash(value),
            principal.subject,
            principal.role.value,
            new_secret(),
            self.absolute,
        )
        return value

    async def find(self, value: str) -> WebSession | None:
        """The session a cookie holds, its idle clock moved on; None when it is over."""
        key = _hash(value)
        recalled = await asked(lambda: self._find(key), self._known, key, grace=self._grace)
        found = recalled.value
        if found is None:
            return None
        at = found.said_at + recalled.age
        if at >= found.expires_at or at >= found.said_at + self.idle:
            return None
        return found.session

    async def _find(self, key: bytes) -> _Found | None:
        row = await self._pool.fetchrow(
            """UPDATE web_sessions SET last_seen_at = now()
                WHERE session_hash = $1 AND ended_at IS NULL AND expires_at > now()
                  AND last_seen_at > now() - $2::interval
            RETURNING staff_ref, role, csrf_token, expires_at, now() AS said_at""",
            key,
            self.idle,
        )
        if row is None:
            return None
        session = WebSession(
            principal=Principal(subject=row["staff_ref"], role=row["role"]),
            csrf_token=row["csrf_token"],
        )
        return _Found(session=session, said_at=row["said_at"], expires_at=row["expires_at"])

    async def end(self, value: str) -> None:
        """Over from now on, whoever holds a copy of the cookie (ending it twice is once)."""
        self._known.forget(_hash(value))
        async with self._pool.acquire() as con, con.transaction():
            await con.execute(
                "UPDATE web_sessions SET ended_at = now() WHERE session_hash = $1 "
                "AND ended_at IS NULL",
                _hash(value),
            )
            # Signing out is rare and this is cheap: sessions long over go now.
            await con.execute(
                "DELETE FROM web_sessions WHERE expires_at < now() - interval '1 day'"
            )

    async def start_sign_in(
        self, *, browser: str, state: str, nonce: str, code_verifier: str, return_to: str
    ) -> None:
        async with self._pool.acquire() as con, con.transaction():
            await con.execute(
                """INSERT INTO sign_in_attempts
                       (state_hash, browser_hash, nonce, code_verifier, return_to)
                   VALUES ($1, $2, $3, $4, $5)""",
                _hash(state),
                _hash(browser),
                nonce,
                code_verifier,
                return_to,
            )
            await con.execute(
                "DELETE FROM sign_in_attempts WHERE started_at < now() - $1::interval",
                _SIGN_IN_KEPT,
            )

    async def take_sign_in(self, *, browser: str, state: str) -> SignInAttempt | NoSignIn:
        """The sign-in ``state`` answers, taken once and only by the browser that started it."""
        async with self._pool.acquire() as con, con.transaction():
            row = await con.fetchrow(
                """SELECT browser_hash, nonce, code_verifier, return_to, used_at,
                          started_at < now() - $2::interval AS expired
                     FROM sign_in_attempts WHERE state_hash = $1 FOR UPDATE""",
                _hash(state),
                SIGN_IN_TIME,
            )
            if row is None or not secrets.compare_digest(row["browser_hash"], _hash(browser)):
                return NoSignIn.unknown
            if row["used_at"] is not None:
                return NoSignIn.used
            await con.execute(
                "UPDATE sign_in_attempts SET used_at = now() WHERE state_hash = $1", _hash(state)
            )
            if row["expired"]:
                return NoSignIn.expired
        return SignInAttempt(
            nonce=row["nonce"], code_verifier=row["code_verifier"], return_to=row["return_to"]
        )
