"""Signing out ends the session on the server: the token's id is recorded in PostgreSQL, and
both doors (the web page's cookie, the API's bearer token) refuse it from then on.

The store's rules are one contract, held by PostgreSQL and by the in-memory fake the unit
tests use (tests/support/sessions.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import pytest_asyncio

from safeside.db import Pool
from safeside.tokens import Principal, TokenVerifier, VerifiedToken
from starter.api.app import create_app
from starter.services.connection import Services
from starter.services.sessions import EndedSessions, PostgresEndedSessions
from starter.web.session import SESSION_COOKIE
from tests.support.asgi_browser import browser_on, form_token, sign_in
from tests.support.security import security_settings, token_for
from tests.support.sessions import InMemoryEndedSessions
from workflows.domain.common import Role


def verified(token: str) -> VerifiedToken:
    return TokenVerifier.from_settings(security_settings()).verify_token(token)


@pytest.fixture(params=["postgres", "in_memory"])
def store(request: pytest.FixtureRequest) -> EndedSessions:
    if request.param == "postgres":
        pool: Pool = request.getfixturevalue("pool")
        return PostgresEndedSessions(pool)
    return InMemoryEndedSessions()


async def test_an_ended_session_is_ended_and_no_other(store: EndedSessions) -> None:
    mine, theirs = verified(token_for("key_worker")), verified(token_for("key_worker"))
    assert not await store.is_ended(mine)
    await store.end(mine)
    await store.end(mine)  # signing out twice (two tabs) is the same as once
    assert await store.is_ended(mine)
    assert not await store.is_ended(theirs)


async def test_ended_sessions_whose_tokens_have_expired_anyway_are_not_kept(pool: Pool) -> None:
    store = PostgresEndedSessions(pool)
    long_ago = datetime.now(UTC) - timedelta(days=2)
    expired = VerifiedToken(
        principal=Principal(subject="kw-17", role=Role.key_worker),
        token_id="expired-token-id",
        issued_at=long_ago - timedelta(hours=8),
        expires_at=long_ago,
    )
    await store.end(expired)
    current = verified(token_for("key_worker"))
    await store.end(current)  # each sign-out clears what no token can use any more
    kept = {row["jti"] for row in await pool.fetch("SELECT jti FROM ended_sessions")}
    assert kept == {current.token_id}


@pytest_asyncio.fixture(loop_scope="session")
async def browser(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """The app on this test's PostgreSQL, as a browser calls it: cookies kept, redirects
    shown rather than followed."""
    async with browser_on(create_app(services)) as client:
        yield client


async def test_after_signing_out_a_copied_cookie_and_its_token_are_refused_at_both_doors(
    browser: httpx.AsyncClient,
) -> None:
    token = token_for("registered_manager", "staff-01")
    bearer = {"Authorization": f"Bearer {token}"}
    await sign_in(browser, token)
    form = await browser.get("/web/start-placement")
    assert form.status_code == 200
    assert (await browser.get("/placements", headers=bearer)).status_code == 200

    signed_out = await browser.post("/sign-out", data={"csrf_token": form_token(form.text)})
    assert signed_out.headers["location"] == "/sign-in?signed_out=1"

    # Someone who copied the cookie before "Sign out" is sent to sign in.
    browser.cookies.set(SESSION_COOKIE, token)
    page = await browser.get("/web/start-placement")
    assert page.status_code == 303
    assert page.headers["location"] == "/sign-in?ended=1"
    assert "Your session has ended" in (await browser.get(page.headers["location"])).text

    # The same token as a bearer token: 401, saying why.
    refused = await browser.get("/placements", headers=bearer)
    assert refused.status_code == 401
    assert refused.json()["detail"] == (
        "the token's session was ended by signing out: ask for a new token"
    )
    # Another session of the same person is untouched.
    other = {"Authorization": f"Bearer {token_for('registered_manager', 'staff-01')}"}
    assert (await browser.get("/placements", headers=other)).status_code == 200
