"""The Temporal dev server (SQLite file) stops and starts again while the placements' clocks
are running: the timers still fire after the restart, and each placement's state and audit
trail carry on where they were."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from activities.event_store import EventStore
from safeside.db import create_pool
from safeside.embedded.processes import free_port
from safeside.embedded.temporal_server import EmbeddedTemporal
from starter.cli.demo import demo_policy
from starter.services.placements import placement_handle
from tests.support.faults import FIGURES, connect_client, eventually, keyed_settings
from tests.support.placements import end, new_placement_id
from tests.support.workers import RecordingChannel, real_worker, start_placements
from workflows.domain.state import PlacementState
from workflows.placement import PlacementWorkflow

pytestmark = pytest.mark.slow

PLACEMENTS = 5
LEAFLET_DUE_IN = timedelta(seconds=40)


async def test_timers_pending_across_a_server_restart_still_fire(
    tmp_path: Path, keyring_env: dict[str, str], database_url: str, task_queue: str
) -> None:
    server = EmbeddedTemporal(db_file=tmp_path / "temporal.db", port=free_port(), ui_port=None)
    settings = keyed_settings(keyring_env, database_url=database_url, task_queue=task_queue)
    pool = await create_pool(database_url)
    store = EventStore(pool, demo_policy(LEAFLET_DUE_IN))
    channel = RecordingChannel()
    ids = [new_placement_id() for _ in range(PLACEMENTS)]
    await server.start()
    try:
        client = await connect_client(server.address, keyring_env)
        async with real_worker(client, pool, channel, task_queue=task_queue, settings=settings):
            arrived = datetime.now(UTC)
            await start_placements(
                client, ids, arrived, task_queue=task_queue, policy=demo_policy(LEAFLET_DUE_IN)
            )

            async def arrivals_stored() -> bool:
                return min([await store.current_version(pid) for pid in ids]) >= 2

            await eventually(arrivals_stored, 30, "the arrivals reaching PostgreSQL")
            before = {
                pid: await placement_handle(client, pid).query(PlacementWorkflow.current_state)
                for pid in ids
            }
        await server.stop()
        await server.start()
        restarted_at = datetime.now(UTC)

        client = await connect_client(server.address, keyring_env)
        async with real_worker(client, pool, channel, task_queue=task_queue, settings=settings):
            for pid in ids:
                after = await placement_handle(client, pid).query(PlacementWorkflow.current_state)
                assert after.facts == before[pid].facts
                assert after.version >= before[pid].version

            async def duty_manager_told() -> bool:
                for pid in ids:
                    trail = await store.read_stream(pid)
                    if not any(e.payload.get("step_name") == "duty_manager" for e in trail):
                        return False
                return True

            await eventually(duty_manager_told, 120, "the leaflet deadline escalating")
            finals: dict[str, PlacementState] = {}
            for pid in ids:
                handle = placement_handle(client, pid)
                await handle.execute_update(PlacementWorkflow.record, end(datetime.now(UTC)))
                await handle.result()
                finals[pid] = await handle.query(PlacementWorkflow.current_state)
    finally:
        await server.stop()

    events_checked = 0
    for pid in ids:
        trail = await store.read_stream(pid)
        events_checked += len(trail)
        assert [e.version for e in trail] == list(range(1, len(trail) + 1))
        assert await store.load_state(pid) == finals[pid]
        missed = [e for e in trail if e.event_type == "deadline_missed"]
        assert [e.payload["deadline_id"] for e in missed] == ["leaflet"]
        assert missed[0].occurred_at >= restarted_at  # the timer fired after the restart
        steps = [e.payload["step_name"] for e in trail if e.event_type == "escalation_raised"]
        assert steps.count("duty_manager") == 1
        assert steps.count("reminder") == 1
        assert f"{pid}:1:police" in channel.sent
    await pool.close()
    assert len(channel.sent) == len(set(channel.sent))

    FIGURES["faults injected: Temporal server restarted"] += 1
    FIGURES["scenarios run"] += 1
    FIGURES["placements checked"] += PLACEMENTS
    FIGURES["events checked"] += events_checked
    FIGURES["timers fired after a server restart"] += PLACEMENTS
