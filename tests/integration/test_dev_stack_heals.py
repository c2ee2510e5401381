"""`safeside dev` starts a server of its own again when it dies, says so in one line, and its
`/health` turns green again by itself, with nobody restarting the stack."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from starter.services.placements import start_placement
from tests.support.devstack import DevStack
from tests.support.placements import new_placement_id, start_command
from workflows.domain.policy import Policy
from workflows.placement import PlacementWorkflow


async def test_a_killed_server_is_started_again_and_health_turns_green_by_itself(
    server_tmp_path: Path,
) -> None:
    stack = DevStack(server_tmp_path / "data")
    async with stack.running():
        client = await stack.temporal_client()
        command = start_command(new_placement_id(), datetime.now(UTC) - timedelta(hours=1))
        handle = await start_placement(
            client, command, policy=Policy(), task_queue="safeside-placements"
        )
        async with httpx.AsyncClient(base_url=stack.api_url, timeout=10) as api:
            await _health_becomes(api, 200)

            os.kill(_pid_of("postgres", stack.data_dir), signal.SIGKILL)
            await _health_becomes(api, 503)
            await _health_becomes(api, 200)
            assert b"PostgreSQL stopped (SIGKILL): starting it again in 1 s" in stack.output

            os.kill(_pid_of("temporal", stack.data_dir), signal.SIGKILL)
            await _health_becomes(api, 503)
            await _health_becomes(api, 200)
            assert b"the Temporal server stopped (SIGKILL): starting it again" in stack.output
        # The worker carried on through both: the placement answers from its workflow.
        state = await asyncio.wait_for(handle.query(PlacementWorkflow.current_state), 30)
        assert state.status == "open"
    said = stack.output.decode()
    assert "safeside dev: PostgreSQL is running again" in said
    assert "safeside dev: the Temporal server is running again" in said
    assert "safeside dev: stopped" in said


async def _health_becomes(api: httpx.AsyncClient, status_code: int, within: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while (await api.get("/health")).status_code != status_code:
        assert asyncio.get_running_loop().time() < deadline, f"/health never gave {status_code}"
        await asyncio.sleep(0.1)


def _pid_of(program: str, data_dir: Path) -> int:
    """The process running ``program`` over this stack's data folder (its command line names
    the folder: PostgreSQL's ``-D``, the Temporal server's ``--db-filename``)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # ended meanwhile
        if Path(os.fsdecode(args[0])).name == program and any(
            os.fsencode(data_dir) in arg for arg in args[1:]
        ):
            return int(entry.name)
    raise AssertionError(f"no {program} process over {data_dir}")
