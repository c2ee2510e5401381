"""`python worker.py`: serves the task queue the settings name, logs JSON lines, and stops
cleanly on SIGTERM."""

import asyncio
import json
import signal
from datetime import UTC, datetime, timedelta

from temporalio.testing import WorkflowEnvironment

from safeside.embedded.processes import free_port
from starter.services.placements import start_placement
from tests.support.faults import clean_env, spawn_worker
from tests.support.placements import MANAGER, new_placement_id, start_command
from tests.support.security import security_env
from workflows.domain.commands import EndPlacement
from workflows.domain.policy import Policy
from workflows.placement import PlacementWorkflow


def _env(**settings: str) -> dict[str, str]:
    return clean_env(**security_env(), **{f"SAFESIDE_{k.upper()}": v for k, v in settings.items()})


async def _read_json_until(
    stream: asyncio.StreamReader, event: str, seen: list[dict[str, object]]
) -> None:
    while line := await stream.readline():
        if line.startswith(b"{"):
            record = json.loads(line)
            seen.append(record)
            if record.get("event") == event:
                return
    raise AssertionError(f"the worker never logged {event!r}: {seen}")


async def test_worker_serves_its_queue_and_stops_on_sigterm(
    dev_env: WorkflowEnvironment, database_url: str, task_queue: str
) -> None:
    process = await spawn_worker(
        _env(
            temporal_address=dev_env.client.service_client.config.target_host,
            database_url=database_url,
            task_queue=task_queue,
            log_format="json",
        )
    )
    assert process.stderr is not None
    logged: list[dict[str, object]] = []
    try:
        await asyncio.wait_for(_read_json_until(process.stderr, "worker started", logged), 30)
        placement_id = new_placement_id()
        command = start_command(placement_id, datetime.now(UTC) - timedelta(hours=1))
        handle = await start_placement(
            dev_env.client, command, policy=Policy(), task_queue=task_queue
        )
        assert (await handle.query(PlacementWorkflow.current_state)).status == "open"
        await handle.execute_update(
            PlacementWorkflow.record,
            EndPlacement(actor=MANAGER, reason="discharged", ended_at=datetime.now(UTC)),
        )
        assert (await handle.result()).ended_reason == "discharged"
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(_read_json_until(process.stderr, "worker stopped", logged), 30)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    appended = [r for r in logged if r.get("event") == "events appended"]
    assert appended, "the worker never logged an append"
    assert {r.get("placement_id") for r in appended} == {placement_id}


async def test_worker_without_temporal_says_which_server_in_one_line(database_url: str) -> None:
    port = free_port()
    process = await spawn_worker(
        _env(temporal_address=f"127.0.0.1:{port}", database_url=database_url)
    )
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    last = err.decode().strip().splitlines()[-1]
    assert last == (
        f"safeside worker: cannot reach the Temporal server at 127.0.0.1:{port}: "
        "start the stack with `make run` or set SAFESIDE_TEMPORAL_ADDRESS"
    )
    assert "Traceback" not in err.decode()
