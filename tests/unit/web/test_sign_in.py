"""Signing in, the session cookie and the CSRF check, through the real app over ASGI.

Everything here happens before a page reads anything, so the app gets no Temporal client and
no PostgreSQL pool (a test reaching for either fails), and keeps the sessions ended by signing
out in memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from fastapi.routing import APIRoute

from starter.api.app import create_app
from starter.services.connection import Services
from starter.services.permissions import is_web_page_path
from starter.web import ROUTERS
from starter.web.session import SESSION_COOKIE
from starter.web.viewer import signed_in
from tests.support.asgi_browser import browser_on, form_token, sign_in
from tests.support.security import bearer, security_settings, token_for
from tests.support.sessions import InMemoryEndedSessions
from workflows.domain.policy import Policy

PUBLIC_PAGES = {"/sign-in", "/sign-out"}
BEARER = bearer("registered_manager")


@pytest.fixture
def app() -> FastAPI:
    nothing: Any = None
    app = create_app(
        Services(client=nothing, pool=nothing, settings=security_settings(), policy=Policy())
    )
    # Sessions ended by signing out, kept in memory here (PostgreSQL in the integration tests).
    app.state.ended_sessions = InMemoryEndedSessions()
    return app


@pytest_asyncio.fixture(loop_scope="session")
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Like a browser: keeps cookies, does not follow redirects (the tests look at them)."""
    async with browser_on(app) as client:
        yield client


async def signed_in_as(browser: httpx.AsyncClient, role: str) -> httpx.Response:
    return await sign_in(browser, token_for(role))


def page_routes() -> list[APIRoute]:
    routes = [route for router in ROUTERS for route in router.routes]
    assert all(isinstance(route, APIRoute) for route in routes)
    return [cast(APIRoute, route) for route in routes if route.path not in PUBLIC_PAGES]


def test_every_page_but_signing_in_needs_a_session() -> None:
    routes = page_routes()
    assert len(routes) >= 10
    for route in routes:
        assert is_web_page_path(route.path), route.path
        calls = [dependency.call for dependency in route.dependant.dependencies]
        assert signed_in in calls, route.path


async def test_a_page_without_a_session_sends_the_browser_to_sign_in(
    browser: httpx.AsyncClient,
) -> None:
    for route in page_routes():
        path = route.path.format(placement_id="PL-0001", unit_id="UNIT-7", action="observation")
        for method in route.methods:
            answer = await browser.request(method, path)
            assert answer.status_code == 303, (method, path)
            assert answer.headers["location"] == "/sign-in"
    fragment = await browser.get("/web/today", headers={"HX-Request": "true"})
    assert fragment.status_code == 401
    assert fragment.headers["HX-Redirect"] == "/sign-in"


async def test_an_expired_session_sends_the_browser_to_sign_in_again(
    browser: httpx.AsyncClient,
) -> None:
    browser.cookies.set(SESSION_COOKIE, token_for("key_worker", hours=-1))
    answer = await browser.get("/")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?ended=1"
    page = await browser.get(answer.headers["location"])
    assert "Your session has ended" in page.text


async def test_signing_in_keeps_the_token_in_a_strict_http_only_cookie(
    browser: httpx.AsyncClient,
) -> None:
    answer = await signed_in_as(browser, "key_worker")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here (loopback)


async def test_over_https_the_session_cookie_is_secure(app: FastAPI) -> None:
    async with browser_on(app, "https://safeside.test") as tls:
        answer = await signed_in_as(tls, "key_worker")
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "Secure" in cookie


async def test_a_token_that_cannot_be_trusted_signs_nobody_in(
    browser: httpx.AsyncClient,
) -> None:
    page = await browser.get("/sign-in")
    for token, reason in [
        ("not-a-token", "the token is not valid (DecodeError)"),
        (token_for("key_worker", hours=-1), "the token has expired"),
        (token_for("police"), "the role police does not sign in to Safeside"),
    ]:
        answer = await browser.post(
            "/sign-in", data={"csrf_token": form_token(page.text), "token": token}
        )
        assert answer.status_code == 401
        assert reason in answer.text
        assert SESSION_COOKIE not in browser.cookies


async def test_the_sign_in_form_needs_its_own_csrf_token(browser: httpx.AsyncClient) -> None:
    await browser.get("/sign-in")
    answer = await browser.post(
        "/sign-in", data={"csrf_token": "forged", "token": token_for("key_worker")}
    )
    assert answer.status_code == 403
    assert SESSION_COOKIE not in browser.cookies


async def test_a_post_without_the_session_s_csrf_token_is_refused_before_anything_is_done(
    browser: httpx.AsyncClient,
) -> None:
    await signed_in_as(browser, "key_worker")
    for path in [
        "/web/placements/PL-0001/actions/observation",
        "/web/start-placement",
        "/web/units/UNIT-7/handover/acknowledge",
    ]:
        for token in ({}, {"csrf_token": "forged"}):
            answer = await browser.post(path, data={"category": "mood"} | token)
            assert answer.status_code == 403, path
            assert "This form did not come from your session" in answer.text


async def test_the_api_never_takes_the_session_cookie(browser: httpx.AsyncClient) -> None:
    await signed_in_as(browser, "registered_manager")
    assert SESSION_COOKIE in browser.cookies
    for method, path in [("GET", "/placements"), ("POST", "/placements")]:
        answer = await browser.request(method, path, json={})
        assert answer.status_code == 401, path


async def test_pages_are_never_cached_framed_or_given_scripts_from_elsewhere(
    browser: httpx.AsyncClient,
) -> None:
    page = await browser.get("/sign-in")
    assert page.headers["Cache-Control"] == "no-store"
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert '<html lang="en-GB">' in page.text
    script = await browser.get("/static/htmx.min.js")
    assert script.status_code == 200
    assert script.text.startswith("var htmx=")


async def test_a_role_that_may_not_start_a_placement_is_told_so(
    browser: httpx.AsyncClient,
) -> None:
    await signed_in_as(browser, "key_worker")
    page = await browser.get("/web/start-placement")
    assert page.status_code == 403
    assert "The role key_worker may not record start_placement" in page.text
    # The navigation offers only what the role may do.
    assert "Start a placement</a>" not in page.text


async def test_signing_out_ends_the_session(browser: httpx.AsyncClient) -> None:
    await signed_in_as(browser, "key_worker")
    page = await browser.get("/web/start-placement")  # any page: it carries the sign-out form
    answer = await browser.post("/sign-out", data={"csrf_token": form_token(page.text)})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?signed_out=1"
    assert SESSION_COOKIE not in browser.cookies
    assert (await browser.get("/")).headers["location"] == "/sign-in"


async def test_a_copy_of_the_cookie_stops_working_once_its_owner_signs_out(
    browser: httpx.AsyncClient,
) -> None:
    await signed_in_as(browser, "key_worker")
    copied = browser.cookies[SESSION_COOKIE]
    page = await browser.get("/web/start-placement")
    await browser.post("/sign-out", data={"csrf_token": form_token(page.text)})
    browser.cookies.set(SESSION_COOKIE, copied)
    answer = await browser.get("/web/start-placement")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?ended=1"
    again = await sign_in(browser, copied)
    assert again.status_code == 401
    assert "session was ended by signing out: ask for a new token" in again.text


async def test_another_site_cannot_sign_anyone_out(browser: httpx.AsyncClient) -> None:
    await signed_in_as(browser, "key_worker")
    answer = await browser.post("/sign-out", data={"csrf_token": "forged"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"
    assert SESSION_COOKIE in browser.cookies


async def test_the_pages_are_not_in_the_api_s_openapi_document(
    browser: httpx.AsyncClient,
) -> None:
    paths = (await browser.get("/openapi.json", headers=BEARER)).json()["paths"]
    assert "/placements/{placement_id}" in paths
    assert not [path for path in paths if is_web_page_path(path)]
