"""Ending a service account's or script's token (``safeside token end``) ends it on the
server: its id is recorded in PostgreSQL, and the API and the command line refuse it from then
on. (The web page's sessions are kept on the server and ended by signing out:
tests/integration/web/test_sign_in.py.)

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
from tests.support.asgi_browser import browser_on
from tests.support.security import security_settings, token_for
from tests.support.sessions import InMemoryEndedSessions
from tests.support.starter import Cli
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
async def api_on_this_database(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    async with browser_on(create_app(services)) as client:
        yield client


async def test_after_token_end_the_token_and_any_copy_of_it_are_refused(
    api_on_this_database: httpx.AsyncClient, safeside: Cli
) -> None:
    token = token_for("registered_manager", "staff-01")
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await api_on_this_database.get("/placements", headers=bearer)).status_code == 200

    ended = await safeside("token", "end", env={"SAFESIDE_TOKEN": token})
    assert ended.exit_code == 0, ended.output
    assert "signed out" in ended.output

    refused = await api_on_this_database.get("/placements", headers=bearer)
    assert refused.status_code == 401
    assert refused.json()["detail"] == (
        "the token's session was ended by signing out: ask for a new token"
    )
    again = await safeside("placement", "list", env={"SAFESIDE_TOKEN": token})
    assert again.exit_code == 1
    assert "ended by signing out" in again.output
    # Another token of the same person is untouched.
    other = {"Authorization": f"Bearer {token_for('registered_manager', 'staff-01')}"}
    assert (await api_on_this_database.get("/placements", headers=other)).status_code == 200
