"""`safeside dev` on this machine: the stack comes up, keeps its data across a restart, and
refuses a busy port in one line."""

import asyncio
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from temporalio.client import WorkflowExecutionStatus

from safeside.ids import placement_workflow_id
from starter.services.placements import PlacementAlreadyOpen, start_placement
from tests.support.devstack import DevStack
from tests.support.placements import MANAGER, new_placement_id, start_command
from workflows.domain.commands import EndPlacement
from workflows.domain.policy import Policy
from workflows.placement import PlacementWorkflow


async def test_the_stack_keeps_open_placements_across_a_restart(server_tmp_path: Path) -> None:
    stack = DevStack(server_tmp_path / "data")
    placement_id = new_placement_id()
    async with stack.running():
        banner = stack.output.decode()
        assert f"127.0.0.1:{stack.temporal_port}" in banner
        assert f"{stack.api_url}/temporal-ui/" in banner
        assert f"{stack.issuer}  (the development identity provider)" in banner
        client = await stack.temporal_client()
        command = start_command(placement_id, datetime.now(UTC) - timedelta(hours=1))
        handle = await start_placement(
            client, command, policy=Policy(), task_queue="safeside-placements"
        )
        before = await handle.query(PlacementWorkflow.current_state)
        assert before.status == "open"
        reader, writer = await asyncio.open_connection("127.0.0.1", stack.ui_port)
        writer.write(b"GET /temporal-ui/ HTTP/1.0\r\nHost: localhost\r\n\r\n")
        status_line = await reader.readline()
        writer.close()
        assert b"200" in status_line
    assert b"stopped" in stack.output

    async with stack.running():
        assert "migrations   up to date" in stack.output.decode()
        client = await stack.temporal_client()
        handle = client.get_workflow_handle_for(
            PlacementWorkflow.run, placement_workflow_id(placement_id)
        )
        assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
        after = await handle.query(PlacementWorkflow.current_state)
        assert after.facts == before.facts
        assert after.version >= before.version
        with pytest.raises(PlacementAlreadyOpen, match="already open"):
            await start_placement(
                client, command, policy=Policy(), task_queue="safeside-placements"
            )
        conn = await asyncpg.connect(stack.database_url)
        try:
            assert await conn.fetchval("SELECT count(*) FROM schema_migrations") >= 1
        finally:
            await conn.close()
        await handle.execute_update(
            PlacementWorkflow.record,
            EndPlacement(actor=MANAGER, reason="moved", ended_at=datetime.now(UTC)),
        )
        outcome = await handle.result()
        assert outcome.ended_reason == "moved"
        stored = await conn_count_events(stack.database_url, placement_id)
        assert stored == outcome.final_version


async def conn_count_events(database_url: str, placement_id: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        count: int = await conn.fetchval(
            "SELECT count(*) FROM events WHERE stream_id = $1", placement_id
        )
        return count
    finally:
        await conn.close()


async def test_a_busy_port_stops_the_stack_with_one_line(server_tmp_path: Path) -> None:
    stack = DevStack(server_tmp_path / "data")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", stack.temporal_port))
        busy.listen()
        process = await stack.spawn(stderr=asyncio.subprocess.PIPE)
        _out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    message = err.decode().strip().splitlines()[-1]
    assert message.startswith("safeside: port")
    assert "SAFESIDE_DEV_TEMPORAL_PORT" in message
    assert b"Traceback" not in err


@pytest.mark.parametrize("sig_name", ["SIGINT"])
async def test_ctrl_c_stops_every_child(server_tmp_path: Path, sig_name: str) -> None:
    import signal

    stack = DevStack(server_tmp_path / "data")
    await stack.start()
    assert await stack.stop(getattr(signal, sig_name)) == 0
    ports = (stack.temporal_port, stack.ui_port, stack.postgres_port, stack.identity_provider_port)
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still open"
