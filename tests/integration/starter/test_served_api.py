"""The HTTP API as people run it: inside `safeside dev`, and on its own with `safeside api`;
and `safeside demo` against the embedded stack, as a newcomer runs it after `make run`."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import sys
from pathlib import Path

import httpx
import pytest

from safeside.embedded.processes import free_port
from safeside.settings import Settings
from starter.services.connection import Services
from tests.integration.starter.conftest import settings_env
from tests.support.devstack import DevStack
from tests.support.organisation import given_home
from tests.support.security import bearer


async def test_safeside_dev_serves_the_api_runs_the_demo_and_stops_the_api_on_ctrl_c(
    server_tmp_path: Path,
) -> None:
    stack = DevStack(server_tmp_path / "data")
    async with stack.running(stop_with=signal.SIGINT):
        assert f"{stack.api_url}  (OpenAPI: {stack.api_url}/docs)" in stack.output.decode()
        assert re.search(
            rf"web page +sign in at {re.escape(stack.api_url)}/ as any demo staff member",
            stack.output.decode(),
        )
        async with httpx.AsyncClient(base_url=stack.api_url) as api:
            assert (await api.get("/health")).json()["status"] == "ok"
            # The web page: a browser without a session is sent to sign in, at the provider.
            assert (await api.get("/")).headers["location"] == "/sign-in"
            assert "Sign in with your council account" in (await api.get("/sign-in")).text
        demo = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "starter.cli", "demo", "--leaflet-due-in", "4",
            env=stack.env | {"SAFESIDE_TEMPORAL_ADDRESS": stack.temporal_address,
                             "SAFESIDE_DATABASE_URL": stack.database_url},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(demo.communicate(), 90)
        assert demo.returncode == 0, err.decode()
        story = out.decode()
        assert "escalation: reminder -> key_worker (leaflet)" in story
        assert "escalation: duty_manager -> duty_manager (leaflet)" in story
        assert "deadline missed: leaflet" in story
        assert "recorded: leaflet_delivered" in story
        assert "placement_ended" in story.split("The audit trail")[1]
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        assert probe.connect_ex(("127.0.0.1", stack.api_port)) != 0


@pytest.mark.usefixtures("worker")
async def test_safeside_api_serves_the_configured_servers_until_ctrl_c(
    settings: Settings, services: Services
) -> None:
    # A placement of the caller's unit that never started: its 404 comes from Temporal.
    await given_home(services.pool, "PL-never-started")
    port = free_port()
    env = {k: v for k, v in settings_env(settings).items() if v is not None}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "starter.cli", "api", "--port", str(port),
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 30)
        assert line.decode().startswith(f"Safeside HTTP API at http://127.0.0.1:{port}")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as api:
            assert (await api.get("/health")).status_code == 200
            assert (await api.get("/placements/PL-never-started")).status_code == 401
            shown = await api.get("/placements/PL-never-started", headers=bearer("key_worker"))
            assert shown.status_code == 404, shown.text
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), 30)
    assert process.returncode == 0


async def test_safeside_api_on_a_busy_port_says_which_setting_to_change(
    settings: Settings,
) -> None:
    env = {k: v for k, v in settings_env(settings).items() if v is not None}
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "starter.cli", "api", "--port", str(port),
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 1
    assert err.decode().strip().startswith(f"safeside: port {port} for the HTTP API")
    assert "SAFESIDE_API_PORT" in err.decode()
