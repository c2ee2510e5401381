"""Sessions for tests: an in-memory ``EndedSessions`` for tests that run the app without
PostgreSQL (the contract tests in tests/integration/security/test_ended_sessions.py hold it to
the real one's rules), and web sessions opened straight in PostgreSQL, for tests of what a
signed-in person sees rather than of signing in (tests/integration/web/test_sign_in.py and
the browser tests sign in through the identity provider)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from safeside.tokens import Principal, VerifiedToken
from starter.services.connection import Services
from starter.services.web_sessions import WebSessions
from starter.web.session import SESSION_COOKIE


class InMemoryEndedSessions:
    def __init__(self) -> None:
        self._ended: set[str] = set()

    async def end(self, token: VerifiedToken) -> None:
        self._ended.add(token.token_id)

    async def is_ended(self, token: VerifiedToken) -> bool:
        return token.token_id in self._ended


@dataclass(frozen=True)
class OpenSession:
    """A web session as the browser holds it, and its forms' CSRF token."""

    value: str
    csrf_token: str

    @property
    def cookies(self) -> dict[str, str]:
        return {SESSION_COOKIE: self.value}

    @property
    def cookie_header(self) -> dict[str, str]:
        return {"Cookie": f"{SESSION_COOKIE}={self.value}"}


async def open_session(
    services: Services | WebSessions, role: str, subject: str = "staff-test"
) -> OpenSession:
    """A web session for ``subject`` in ``role``, as if they had just signed in."""
    sessions = (
        services
        if isinstance(services, WebSessions)
        else WebSessions.from_settings(services.pool, services.settings)
    )
    value = await sessions.open(Principal(subject=subject, role=role))
    found = await sessions.find(value)
    assert found is not None
    return OpenSession(value=value, csrf_token=found.csrf_token)


async def signed_in_cookie(
    services: Services, role: str, subject: str = "staff-test"
) -> dict[str, str]:
    """The cookies of a browser signed in as ``subject`` in ``role``."""
    return (await open_session(services, role, subject)).cookies


async def sign_in_as(services: Services, browser: httpx.AsyncClient, role: str) -> OpenSession:
    """Give ``browser`` a session of ``staff-test`` in ``role``, as if they had just signed in."""
    session = await open_session(services, role, "staff-test")
    browser.cookies.update(session.cookies)
    return session
