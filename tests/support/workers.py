"""A worker in this process with the real activities over PostgreSQL, a channel that remembers
what it sent, and the calls a test makes on several placements at once."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from activities.channels import Channel, ChannelRouter
from activities.messages import Notification
from activities.registry import build_activities
from safeside.contracts.workflows import PlacementOutcome
from safeside.db import Pool
from safeside.ids import placement_id_of
from safeside.settings import Settings
from starter.services.placements import record_action, start_placement
from tests.support.placements import end, new_placement_id, start_command
from workflows.domain.common import RiskLevel
from workflows.domain.policy import Policy
from workflows.placement import PlacementWorkflow
from workflows.registry import WORKFLOWS, workflow_runner

PlacementHandle = WorkflowHandle[PlacementWorkflow, PlacementOutcome]


class RecordingChannel:
    """A channel that takes every notification and remembers its key, in order."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, message: Notification) -> None:
        self.sent.append(message.idempotency_key)

    def times_sent(self) -> Counter[str]:
        return Counter(self.sent)


def real_worker(
    client: Client,
    pool: Pool,
    channel: Channel,
    *,
    task_queue: str,
    settings: Settings | None = None,
) -> Worker:
    """Every workflow, with the activities production registers, sending through ``channel``."""
    return Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        workflow_runner=workflow_runner(strict=True),
        activities=build_activities(
            pool, settings or Settings(), channels=ChannelRouter(default=channel)
        ),
    )


async def start_placements(
    client: Client, ids: list[str], arrived: datetime, *, task_queue: str, policy: Policy
) -> list[PlacementHandle]:
    """Start a placement for each id, one after another, as the starter does."""
    return [
        await start_placement(
            client, start_command(pid, arrived), policy=policy, task_queue=task_queue
        )
        for pid in ids
    ]


async def end_placements(client: Client, handles: list[PlacementHandle]) -> list[PlacementOutcome]:
    """End each placement now, as the doors record an action, and wait for its workflow to
    complete."""
    for handle in handles:
        await record_action(client, placement_of(handle), end(datetime.now(UTC)))
    return [await handle.result() for handle in handles]


def placement_of(handle: PlacementHandle) -> str:
    placement_id = placement_id_of(handle.id)
    assert placement_id is not None, f"{handle.id} is not a placement's workflow"
    return placement_id


@asynccontextmanager
async def placement_on_real_worker(
    client: Client, pool: Pool, channel: Channel, arrived: datetime, *, task_queue: str
) -> AsyncIterator[tuple[str, PlacementHandle]]:
    """A medium-risk placement (its id and handle), arrived at ``arrived`` and looked after
    since that day, on a real worker; the worker stops when the block ends."""
    placement_id = new_placement_id()
    start = start_command(
        placement_id, arrived, looked_after_since=arrived.date(), risk=RiskLevel.medium
    )
    async with real_worker(client, pool, channel, task_queue=task_queue):
        yield (
            placement_id,
            await start_placement(client, start, policy=Policy(), task_queue=task_queue),
        )
