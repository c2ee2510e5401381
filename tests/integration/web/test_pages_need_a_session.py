"""Every page needs a session kept on the server; every form its session's CSRF token; the
API's routes never take the session (the codec aside, for the Temporal web UI)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import cast

import httpx
import pytest_asyncio
from fastapi.routing import APIRoute

from starter.api.app import create_app
from starter.services.connection import Services
from starter.services.permissions import is_web_page_path
from starter.web import ROUTERS
from starter.web.viewer import signed_in
from tests.support.asgi_browser import browser_on
from tests.support.security import bearer
from tests.support.sessions import open_session, sign_in_as

PUBLIC_PAGES = {"/sign-in", "/sign-in/start", "/sign-in/callback", "/sign-out"}


@pytest_asyncio.fixture(loop_scope="session")
async def browser(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    async with browser_on(create_app(services)) as client:
        yield client


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
        path = route.path.replace(":path}", "}").format(
            placement_id="PL-0001", unit_id="UNIT-7", action="observation", rest="x"
        )
        for method in route.methods:
            answer = await browser.request(method, path)
            assert answer.status_code == 303, (method, path)
            assert answer.headers["location"].startswith("/sign-in"), (method, path)
    fragment = await browser.get(
        "/web/today", headers={"HX-Request": "true", "HX-Current-URL": "http://x/web/placements"}
    )
    assert fragment.status_code == 401
    assert fragment.headers["HX-Redirect"] == "/sign-in?next=%2Fweb%2Fplacements"


async def test_a_made_up_session_cookie_is_a_session_that_has_ended(
    browser: httpx.AsyncClient,
) -> None:
    browser.cookies.set("safeside_session", "made-up")
    answer = await browser.get("/")
    assert answer.headers["location"] == "/sign-in?ended=1"


async def test_a_post_without_the_session_s_csrf_token_is_refused_before_anything_is_done(
    browser: httpx.AsyncClient, services: Services
) -> None:
    await sign_in_as(services, browser, "key_worker")
    for path in [
        "/web/placements/PL-0001/actions/observation",
        "/web/start-placement",
        "/web/units/UNIT-7/handover/acknowledge",
    ]:
        for token in ({}, {"csrf_token": "forged"}):
            answer = await browser.post(path, data={"category": "mood"} | token)
            assert answer.status_code == 403, path
            assert "This form did not come from your session" in answer.text


async def test_another_session_s_csrf_token_is_refused(
    browser: httpx.AsyncClient, services: Services
) -> None:
    theirs = await open_session(services, "registered_manager", "staff-test")
    await sign_in_as(services, browser, "registered_manager")
    answer = await browser.post("/web/start-placement", data={"csrf_token": theirs.csrf_token})
    assert answer.status_code == 403


async def test_the_api_never_takes_the_session_cookie(
    browser: httpx.AsyncClient, services: Services
) -> None:
    await sign_in_as(services, browser, "registered_manager")
    for method, path in [("GET", "/placements"), ("POST", "/placements"), ("GET", "/deadlines")]:
        answer = await browser.request(method, path, json={})
        assert answer.status_code == 401, path


async def test_the_codec_takes_a_manager_s_session_for_the_temporal_ui(
    browser: httpx.AsyncClient, services: Services
) -> None:
    empty = {"payloads": []}
    assert (await browser.post("/codec/decode", json=empty)).status_code == 401
    await sign_in_as(services, browser, "duty_manager")
    assert (await browser.post("/codec/decode", json=empty)).status_code == 200
    await sign_in_as(services, browser, "key_worker")
    assert (await browser.post("/codec/decode", json=empty)).status_code == 403


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
    browser: httpx.AsyncClient, services: Services
) -> None:
    await sign_in_as(services, browser, "key_worker")
    page = await browser.get("/web/start-placement")
    assert page.status_code == 403
    assert "The role key_worker may not record start_placement" in page.text
    assert "Start a placement</a>" not in page.text


async def test_the_pages_are_not_in_the_api_s_openapi_document(
    browser: httpx.AsyncClient,
) -> None:
    paths = (await browser.get("/openapi.json", headers=bearer("registered_manager"))).json()
    assert "/placements/{placement_id}" in paths["paths"]
    assert not [path for path in paths["paths"] if is_web_page_path(path)]
