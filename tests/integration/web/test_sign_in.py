"""Signing in to the web page through the council's identity provider (here the real
development provider, a process of its own), and what is refused: each refusal says why in
plain words and opens no session."""

from __future__ import annotations

import html

import httpx
import pytest
from fastapi import FastAPI

from safeside.db import Pool
from safeside.embedded.identity_provider import EmbeddedIdentityProvider
from starter.api.app import create_app
from starter.services.connection import Services
from starter.web.session import SESSION_COOKIE, SIGN_IN_COOKIE
from tests.support.asgi_browser import browser_on, form_token
from tests.support.identity_provider import provider_user
from tests.support.oidc_browser import OidcBrowser, with_query

MANAGER = "staff-01-as-registered-manager"
KEY_WORKER = "staff-17-as-key-worker"
# staff-17 is a key and residential worker: the directory gives them no manager's role.
NOT_THEIR_ROLE = "staff-17-as-duty-manager"


@pytest.fixture(autouse=True)
async def people(identity_provider: EmbeddedIdentityProvider) -> None:
    assert await provider_user(identity_provider, "staff-01", "registered_manager") == MANAGER
    assert await provider_user(identity_provider, "staff-17", "key_worker") == KEY_WORKER
    assert await provider_user(identity_provider, "staff-17", "duty_manager") == NOT_THEIR_ROLE


async def sessions_opened(pool: Pool) -> int:
    count: int = await pool.fetchval("SELECT count(*) FROM web_sessions")
    return count


async def test_a_manager_signs_in_and_lands_on_today_with_a_server_side_session(
    browser: OidcBrowser, pool: Pool
) -> None:
    authorization_url = await browser.start()
    # PKCE (S256), a state and a nonce go to the provider; the browser keeps its sign-in key.
    query = httpx.URL(authorization_url).params
    assert query["code_challenge_method"] == "S256"
    assert all(query[name] for name in ("state", "nonce", "code_challenge"))
    assert SIGN_IN_COOKIE in browser.app.cookies

    answer = await browser.callback(await browser.authorize(authorization_url, MANAGER))
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert all(flag in cookie for flag in ("HttpOnly", "SameSite=lax", "Path=/"))
    today = await browser.app.get("/")
    assert today.status_code == 200
    assert "<h1>Today</h1>" in today.text
    # The cookie is a random key; the session itself (who, which role) is in PostgreSQL.
    value = browser.session
    assert value is not None
    assert "staff-01" not in value
    assert "." not in value
    assert await sessions_opened(pool) == 1


async def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(
    browser: OidcBrowser,
) -> None:
    await browser.sign_in(KEY_WORKER)
    copied = browser.session
    assert copied is not None
    page = await browser.app.get("/web/placements")
    answer = await browser.app.post("/sign-out", data={"csrf_token": form_token(page.text)})
    assert answer.headers["location"] == "/sign-in?signed_out=1"
    assert browser.session is None
    browser.app.cookies.set(SESSION_COOKIE, copied)
    again = await browser.app.get("/web/placements")
    assert again.status_code == 303
    assert again.headers["location"].startswith("/sign-in?ended=1")


async def test_another_site_cannot_sign_anyone_out(browser: OidcBrowser) -> None:
    await browser.sign_in(KEY_WORKER)
    answer = await browser.app.post("/sign-out", data={"csrf_token": "forged"})
    assert answer.headers["location"] == "/"
    assert (await browser.app.get("/web/placements")).status_code == 200


async def test_a_session_idle_for_30_minutes_or_open_for_12_hours_has_ended(
    browser: OidcBrowser, pool: Pool
) -> None:
    await browser.sign_in(KEY_WORKER)
    assert (await browser.app.get("/web/placements")).status_code == 200
    await pool.execute("UPDATE web_sessions SET last_seen_at = now() - interval '31 minutes'")
    idle = await browser.app.get("/web/placements")
    assert idle.status_code == 303
    assert idle.headers["location"] == "/sign-in?ended=1&next=%2Fweb%2Fplacements"
    assert "Your session has ended" in (await browser.app.get(idle.headers["location"])).text

    await browser.sign_in(KEY_WORKER)
    await pool.execute("UPDATE web_sessions SET expires_at = now() - interval '1 second'")
    assert (await browser.app.get("/web/placements")).status_code == 303


async def test_activity_keeps_a_session_open_past_the_idle_limit(
    browser: OidcBrowser, pool: Pool
) -> None:
    await browser.sign_in(KEY_WORKER)
    await pool.execute("UPDATE web_sessions SET last_seen_at = now() - interval '29 minutes'")
    assert (await browser.app.get("/web/placements")).status_code == 200
    idle_for = await pool.fetchval("SELECT now() - last_seen_at FROM web_sessions")
    assert idle_for.total_seconds() < 60


async def test_a_role_the_staff_directory_does_not_give_signs_nobody_in(
    browser: OidcBrowser, pool: Pool
) -> None:
    answer = await browser.sign_in(NOT_THEIR_ROLE)
    assert answer.status_code == 403
    assert "gives you the role duty manager, which the staff directory does not" in answer.text
    assert browser.session is None
    assert await sessions_opened(pool) == 0


async def test_a_person_the_provider_knows_but_safeside_does_not_is_refused(
    browser: OidcBrowser, pool: Pool
) -> None:
    # Typed into the provider's form: no staff reference or role claim at all.
    answer = await browser.sign_in("somebody@example.org")
    assert answer.status_code == 401
    assert "gave no staff reference ('staff_ref') or no staff role ('role')" in html.unescape(
        answer.text
    )
    assert await sessions_opened(pool) == 0


async def test_a_replayed_answer_is_refused(browser: OidcBrowser, pool: Pool) -> None:
    callback = await browser.authorize(await browser.start(), MANAGER)
    assert (await browser.callback(callback)).status_code == 303
    browser.app.cookies.delete(SESSION_COOKIE)
    replayed = await browser.callback(callback)
    assert replayed.status_code == 400
    assert "That sign-in link has been used already" in replayed.text
    # The same code with a sign-in of its own: the provider will not take a code twice.
    fresh_state = httpx.URL(await browser.start()).params["state"]
    code = httpx.URL(callback).params["code"]
    again = await browser.callback(with_query(callback, state=fresh_state, code=code))
    assert again.status_code == 401
    assert "the identity provider refused the sign-in (invalid_grant)" in again.text
    assert browser.session is None
    assert await sessions_opened(pool) == 1


async def test_an_answer_with_another_state_or_in_another_browser_is_refused(
    browser: OidcBrowser, app: FastAPI, pool: Pool
) -> None:
    callback = await browser.authorize(await browser.start(), MANAGER)
    forged = await browser.callback(with_query(callback, state="made-up"))
    assert forged.status_code == 400
    assert "That sign-in did not start in this browser" in forged.text
    # The right answer, sent to someone else's browser (a login CSRF): refused as well.
    async with browser_on(app) as other:
        elsewhere = await other.get(f"/sign-in/callback?{httpx.URL(callback).query.decode()}")
        assert elsewhere.status_code == 400
        assert SESSION_COOKIE not in other.cookies
    assert await sessions_opened(pool) == 0


async def test_an_id_token_for_another_nonce_is_refused(browser: OidcBrowser, pool: Pool) -> None:
    # The nonce sent to the provider is swapped on the way: its ID token then answers another
    # sign-in than the one this browser started.
    tampered = with_query(await browser.start(), nonce="someone-elses-nonce")
    answer = await browser.callback(await browser.authorize(tampered, MANAGER))
    assert answer.status_code == 401
    assert "does not belong to this sign-in (its nonce)" in answer.text
    assert await sessions_opened(pool) == 0


async def test_a_changed_pkce_challenge_is_refused_by_the_provider(
    browser: OidcBrowser, pool: Pool
) -> None:
    tampered = with_query(await browser.start(), code_challenge="A" * 43)
    answer = await browser.callback(await browser.authorize(tampered, MANAGER))
    assert answer.status_code == 401
    assert "the identity provider refused the sign-in" in answer.text
    assert await sessions_opened(pool) == 0


@pytest.mark.parametrize(
    "next_page",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"],
)
async def test_the_return_address_never_leads_to_another_site(
    browser: OidcBrowser, next_page: str
) -> None:
    answer = await browser.sign_in(KEY_WORKER, next_page)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"


async def test_after_signing_in_the_person_returns_to_the_page_they_asked_for(
    browser: OidcBrowser,
) -> None:
    asked = await browser.app.get("/web/placements")
    assert asked.headers["location"] == "/sign-in?next=%2Fweb%2Fplacements"
    page = await browser.app.get(asked.headers["location"])
    assert 'href="/sign-in/start?next=%2Fweb%2Fplacements"' in page.text
    answer = await browser.sign_in(KEY_WORKER, "/web/placements")
    assert answer.headers["location"] == "/web/placements"


async def test_a_rotated_signing_key_needs_no_restart(
    browser: OidcBrowser, identity_provider: EmbeddedIdentityProvider
) -> None:
    assert (await browser.sign_in(MANAGER)).status_code == 303
    await identity_provider.rotate_signing_key()
    browser.app.cookies.delete(SESSION_COOKIE)
    assert (await browser.sign_in(MANAGER)).status_code == 303


async def test_the_provider_refusing_is_said_plainly(browser: OidcBrowser) -> None:
    denied = await browser.provider.post(await browser.start(), data={"action": "deny"})
    answer = await browser.callback(denied.headers["location"])
    assert answer.status_code == 401
    assert "The council&#39;s sign-in service did not sign you in." in answer.text


async def test_without_a_provider_the_sign_in_page_says_how_to_set_one(
    services: Services,
) -> None:
    assert services.settings.oidc_issuer is None
    async with browser_on(create_app(services)) as plain:
        page = await plain.get("/sign-in")
        assert "No sign-in service is configured" in page.text
        assert (await plain.get("/sign-in/start")).status_code == 503


@pytest.mark.parametrize(
    "query",
    [
        "state=x&code=y",
        "state=" + "s" * 20_000 + "&code=y",
        "state=%E2%98%83%00&code=%FF",
        "code=y",
        "state=x",
        "error=access_denied&error_description=%3Cscript%3E",
        "",
    ],
)
async def test_a_made_up_answer_is_refused_in_plain_words_and_opens_nothing(
    browser: OidcBrowser, pool: Pool, query: str
) -> None:
    await browser.start()  # this browser has a sign-in under way, but not this one
    answer = await browser.app.get(f"/sign-in/callback?{query}")
    assert answer.status_code in (400, 401), answer.text[:300]
    assert "<script>" not in answer.text
    assert browser.session is None
    assert await sessions_opened(pool) == 0
