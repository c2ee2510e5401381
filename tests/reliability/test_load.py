"""500 placements at once, their clocks running in real time on the dev server with a policy of
seconds: every escalation is raised once, none lost, none doubled, and every notification
goes out once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.client import Client

from safeside.db import create_pool
from starter.cli.demo import demo_policy
from starter.services.placements import start_placement
from tests.support import faults
from tests.support.placements import end, new_placement_id, start_command
from tests.support.workers import RecordingChannel, real_worker
from workflows.placement import PlacementWorkflow

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

PLACEMENTS = 500
# The leaflet clock: a reminder half-way, the Duty Manager at the deadline (demo policy).
LEAFLET_DUE_IN = timedelta(seconds=60)


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
    channel = RecordingChannel()
    settings = faults.keyed_settings(keyring_env, database_url=database_url, task_queue=task_queue)
    policy = demo_policy(LEAFLET_DUE_IN)
    ids = [new_placement_id() for _ in range(PLACEMENTS)]
    async with real_worker(client, pool, channel, task_queue=task_queue, settings=settings):
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

        await faults.eventually(every_duty_manager_told, 600, "every leaflet escalating")
        ended = end(datetime.now(UTC))
        await in_batches(
            [h.execute_update(PlacementWorkflow.record, ended) for h in handles]  # type: ignore[attr-defined]
        )
        outcomes = await in_batches([h.result() for h in handles])  # type: ignore[attr-defined]

    versions = await faults.versions_by_stream(pool, ids)
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
    outbox = await faults.outbox_by_status(pool, ids)
    await pool.close()
    assert doubled == []
    assert leaflet_steps["reminder"] == PLACEMENTS
    assert leaflet_steps["duty_manager"] == PLACEMENTS
    assert missed == PLACEMENTS
    assert set(outbox) == {"delivered"}
    assert set(channel.sent) == outbox["delivered"]
    assert set(channel.times_sent().values()) == {1}

    faults.FIGURES["scenarios run"] += 1
    faults.FIGURES["placements checked"] += PLACEMENTS
    faults.FIGURES["events checked"] += sum(len(v) for v in versions.values())
    faults.FIGURES["escalations checked under load"] += sum(row["raised"] for row in steps)
    faults.FIGURES["notifications checked"] += len(outbox["delivered"])
