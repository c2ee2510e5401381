"""500 placements at once, their clocks running in real time on the dev server with a policy of
seconds: every escalation is raised once, none lost, none doubled, and every notification
goes out once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from activities.channels import ChannelRouter
from activities.messages import Notification
from activities.registry import build_activities
from safeside.db import create_pool
from starter.demo import demo_policy
from starter.placements import start_placement
from tests.support.faults import (
    FIGURES,
    eventually,
    keyed_settings,
    outbox_by_status,
    versions_by_stream,
)
from tests.support.placements import MANAGER, new_placement_id, start_command
from workflows.domain.commands import EndPlacement
from workflows.placement import PlacementWorkflow
from workflows.registry import WORKFLOWS, workflow_runner

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

PLACEMENTS = 500
# The leaflet clock: a reminder half-way, the Duty Manager at the deadline (demo policy).
LEAFLET_DUE_IN = timedelta(seconds=60)


class CountingChannel:
    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()

    async def send(self, message: Notification) -> None:
        self.sent[message.idempotency_key] += 1


async def in_batches(calls: list[object], size: int = 50) -> list[object]:
    gate = asyncio.Semaphore(size)

    async def one(call: object) -> object:
        async with gate:
            return await call  # type: ignore[misc]

    return await asyncio.gather(*(one(call) for call in calls))


async def test_five_hundred_placements_escalate_once_each(
    client: Client, keyring_env: dict[str, str], database_url: str, task_queue: str
) -> None:
    pool = await create_pool(database_url, max_size=10)
    channel = CountingChannel()
    settings = keyed_settings(keyring_env, database_url=database_url, task_queue=task_queue)
    policy = demo_policy(LEAFLET_DUE_IN)
    ids = [new_placement_id() for _ in range(PLACEMENTS)]
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        workflow_runner=workflow_runner(),
        activities=build_activities(pool, settings, channels=ChannelRouter(default=channel)),
    ):
        arrived = datetime.now(UTC)
        handles = await in_batches(
            [
                start_placement(
                    client, start_command(pid, arrived), policy=policy, task_queue=task_queue
                )
                for pid in ids
            ]
        )

        async def every_duty_manager_told() -> bool:
            told: int = await pool.fetchval(
                """SELECT count(*) FROM events
                    WHERE stream_id = any($1::text[]) AND event_type = 'escalation_raised'
                      AND payload->>'step_name' = 'duty_manager'""",
                ids,
            )
            return told >= PLACEMENTS

        await eventually(every_duty_manager_told, 600, "every leaflet escalating")
        end = EndPlacement(actor=MANAGER, reason="moved", ended_at=datetime.now(UTC))
        await in_batches(
            [h.execute_update(PlacementWorkflow.record, end) for h in handles]  # type: ignore[attr-defined]
        )
        outcomes = await in_batches([h.result() for h in handles])  # type: ignore[attr-defined]

    versions = await versions_by_stream(pool, ids)
    for outcome in outcomes:
        assert versions[outcome.placement_id] == list(range(1, outcome.final_version + 1))  # type: ignore[attr-defined]
    steps = await pool.fetch(
        """SELECT stream_id, payload->>'deadline_id' AS deadline, payload->>'step_name' AS step,
                  count(*) AS raised
             FROM events WHERE stream_id = any($1::text[]) AND event_type = 'escalation_raised'
            GROUP BY 1, 2, 3""",
        ids,
    )
    doubled = [row for row in steps if row["raised"] != 1]
    leaflet_steps = Counter(row["step"] for row in steps if row["deadline"] == "leaflet")
    missed = await pool.fetchval(
        """SELECT count(*) FROM events WHERE stream_id = any($1::text[])
              AND event_type = 'deadline_missed' AND payload->>'deadline_id' = 'leaflet'""",
        ids,
    )
    outbox = await outbox_by_status(pool, ids)
    await pool.close()
    assert doubled == []
    assert leaflet_steps["reminder"] == PLACEMENTS
    assert leaflet_steps["duty_manager"] == PLACEMENTS
    assert missed == PLACEMENTS
    assert set(outbox) == {"delivered"}
    assert set(channel.sent) == outbox["delivered"]
    assert set(channel.sent.values()) == {1}

    FIGURES["scenarios run"] += 1
    FIGURES["placements checked"] += PLACEMENTS
    FIGURES["events checked"] += sum(len(v) for v in versions.values())
    FIGURES["escalations checked under load"] += sum(row["raised"] for row in steps)
    FIGURES["notifications checked"] += len(outbox["delivered"])
