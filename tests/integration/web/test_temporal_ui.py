"""The Temporal web UI through the page's own origin (/temporal-ui/): for signed-in managers
only, read-only for everyone, and nothing of Safeside's sign-in passed to the UI's server."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus

from safeside.embedded.processes import free_port
from safeside.embedded.temporal_server import EmbeddedTemporal
from starter.api.app import create_app
from starter.services.connection import Services
from starter.web.routes import temporal_ui
from tests.support.asgi_browser import browser_on
from tests.support.sessions import sign_in_as


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def temporal_with_ui(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[EmbeddedTemporal]:
    """A dev server with its UI, run as `safeside dev` runs it."""
    server = EmbeddedTemporal(
        tmp_path_factory.mktemp("temporal-ui") / "temporal.db",
        port=free_port(),
        ui_port=free_port(),
        ui_public_path=temporal_ui.PATH,
        ui_codec_endpoint="/codec",
    )
    await server.start()
    yield server
    await server.stop()


def ui_url(server: EmbeddedTemporal) -> str:
    return f"http://127.0.0.1:{server.ui_port}"


@pytest_asyncio.fixture(loop_scope="session")
async def browser(
    services: Services, temporal_with_ui: EmbeddedTemporal
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(services)
    app.state.temporal_ui_url = ui_url(temporal_with_ui)
    async with browser_on(app) as client:
        yield client


async def test_a_duty_manager_opens_the_ui_which_decodes_through_this_origin_and_offers_no_writes(
    browser: httpx.AsyncClient, services: Services
) -> None:
    await sign_in_as(services, browser, "duty_manager")
    page = await browser.get("/temporal-ui/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'href="/temporal-ui/_app/' in page.text
    settings = (await browser.get("/temporal-ui/api/v1/settings")).json()
    assert settings["Codec"]["Endpoint"] == "/codec"
    assert settings["DisableWriteActions"] is True
    assert settings["WorkflowTerminateDisabled"] is True
    assert settings["WorkflowCancelDisabled"] is True


async def test_a_key_worker_is_refused_the_ui(
    browser: httpx.AsyncClient, services: Services
) -> None:
    await sign_in_as(services, browser, "key_worker")
    for path in ("/temporal-ui/", "/temporal-ui/api/v1/namespaces"):
        answer = await browser.get(path)
        assert answer.status_code == 403
        assert "Duty and Registered Managers only" in answer.text


async def test_nobody_signed_in_is_sent_to_sign_in(browser: httpx.AsyncClient) -> None:
    answer = await browser.get("/temporal-ui/namespaces/default/workflows")
    assert answer.status_code == 303
    assert answer.headers["location"] == (
        "/sign-in?next=%2Ftemporal-ui%2Fnamespaces%2Fdefault%2Fworkflows"
    )


async def test_no_write_reaches_temporal_through_the_ui_even_for_a_manager(
    browser: httpx.AsyncClient, services: Services, temporal_with_ui: EmbeddedTemporal
) -> None:
    client = await Client.connect(temporal_with_ui.address)
    workflow_id = f"ui-test-{uuid.uuid4().hex[:8]}"
    handle = await client.start_workflow(
        "NobodyRunsThis", id=workflow_id, task_queue="nobody-polls-this"
    )
    await sign_in_as(services, browser, "registered_manager")
    workflow = f"/temporal-ui/api/v1/namespaces/default/workflows/{workflow_id}"
    read = await browser.get(workflow)
    assert read.status_code == 200
    assert workflow_id in read.text
    for method, path in [
        ("POST", f"{workflow}/cancel"),
        ("POST", f"{workflow}/terminate"),
        ("POST", f"{workflow}/signal/anything"),
        ("POST", f"{workflow}/reset"),
        ("POST", f"{workflow}/update/anything"),
        ("PUT", f"{workflow}/terminate"),
        ("DELETE", workflow),
    ]:
        answer = await browser.request(method, path, json={"reason": "through the UI"})
        assert answer.status_code == 403, (method, path)
        assert "read-only here" in answer.text
    assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
    kinds = {event.event_type async for event in handle.fetch_history_events()}
    assert EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED not in kinds
    assert EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED not in kinds


async def test_the_session_cookie_and_bearer_header_stay_on_this_side(
    services: Services,
) -> None:
    async with echoing_server() as (url, received):
        app = create_app(services)
        app.state.temporal_ui_url = url
        async with browser_on(app) as browser:
            await sign_in_as(services, browser, "duty_manager")
            answer = await browser.get(
                "/temporal-ui/api/v1/namespaces?pageSize=5",
                headers={"Authorization": "Bearer something", "X-Kept": "yes"},
            )
    assert answer.status_code == 200
    (request,) = received
    assert request.startswith(b"GET /temporal-ui/api/v1/namespaces?pageSize=5 HTTP/1.1")
    assert b"x-kept: yes" in request.lower()
    assert b"cookie" not in request.lower()
    assert b"authorization" not in request.lower()


async def test_without_a_ui_to_serve_the_route_says_so(
    services: Services,
) -> None:
    async with browser_on(create_app(services)) as browser:
        await sign_in_as(services, browser, "duty_manager")
        answer = await browser.get("/temporal-ui/")
    assert answer.status_code == 404
    assert "Temporal web UI is not served here" in answer.text


@contextlib.asynccontextmanager
async def echoing_server() -> AsyncIterator[tuple[str, list[bytes]]]:
    """An HTTP server on loopback that keeps each request's head and answers 200."""
    received: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}", received
