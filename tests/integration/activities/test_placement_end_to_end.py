"""The placement workflow on the dev server with the real activities and PostgreSQL: what a
user finds afterwards in the audit trail, the projections and the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.channels import ChannelRouter
from activities.event_store import EventStore
from activities.messages import Notification
from activities.registry import build_activities
from safeside.db import Pool
from safeside.ids import placement_workflow_id
from safeside.settings import Settings
from tests.integration.activities.placements import end, leaflet, new_placement_id, start
from workflows.domain.state import PlacementState
from workflows.placement import PlacementWorkflow
from workflows.placement_io import PlacementInput
from workflows.registry import WORKFLOWS, workflow_runner


class RecordingChannel:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, message: Notification) -> None:
        self.sent.append(message.idempotency_key)


async def test_a_placement_run_end_to_end_leaves_its_trail_projections_and_notifications(
    dev_env: WorkflowEnvironment, task_queue: str, pool: Pool, store: EventStore
) -> None:
    placement_id = new_placement_id()
    arrived = datetime.now(UTC) - timedelta(hours=1)
    channel = RecordingChannel()
    activities = build_activities(pool, Settings(), channels=ChannelRouter(default=channel))

    async with Worker(
        dev_env.client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        workflow_runner=workflow_runner(),
        activities=activities,
    ):
        handle = await dev_env.client.start_workflow(
            PlacementWorkflow.run,
            PlacementInput(
                placement_id=placement_id,
                start=start(placement_id, arrived, looked_after_since=arrived.date()),
            ),
            id=placement_workflow_id(placement_id),
            task_queue=task_queue,
        )
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
