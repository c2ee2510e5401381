"""The placement workflow on the dev server with the real activities and PostgreSQL: what a
user finds afterwards in the audit trail, the projections and the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from temporalio.testing import WorkflowEnvironment

from activities.event_store import EventStore
from safeside.db import Pool
from tests.support.placements import end, leaflet
from tests.support.workers import RecordingChannel, placement_on_real_worker
from workflows.domain.state import PlacementState
from workflows.placement import PlacementWorkflow


async def test_a_placement_run_end_to_end_leaves_its_trail_projections_and_notifications(
    dev_env: WorkflowEnvironment, task_queue: str, pool: Pool, store: EventStore
) -> None:
    arrived = datetime.now(UTC) - timedelta(hours=1)
    channel = RecordingChannel()
    async with placement_on_real_worker(
        dev_env.client, pool, channel, arrived, task_queue=task_queue
    ) as (placement_id, handle):
        delivered_at = arrived + timedelta(minutes=30)
        await handle.execute_update(PlacementWorkflow.record, leaflet(delivered_at))
        await handle.execute_update(PlacementWorkflow.record, end(datetime.now(UTC)))
        outcome = await handle.result()
        reported = await handle.query(PlacementWorkflow.current_state, result_type=PlacementState)

    trail = await store.read_stream(placement_id)
    assert [event.event_type for event in trail] == [
        "placement_started",
        "interpreter_requested",
        "leaflet_delivered",
        "placement_ended",
    ]
    assert outcome.final_version == len(trail)
    assert await store.load_state(placement_id) == reported
    row = await pool.fetchrow(
        "SELECT status, version FROM placements WHERE stream_id = $1", placement_id
    )
    assert (row["status"], row["version"]) == ("ended", len(trail))
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM open_deadlines WHERE stream_id = $1", placement_id
        )
        == 0
    )
    outbox = await pool.fetch(
        "SELECT idempotency_key, status FROM notifications WHERE stream_id = $1", placement_id
    )
    assert {row["status"] for row in outbox} == {"delivered"}
    assert sorted(channel.sent) == sorted(row["idempotency_key"] for row in outbox)
    assert f"{placement_id}:1:police" in channel.sent
    assert f"{placement_id}:4:police" in channel.sent
