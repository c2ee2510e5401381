"""A worker killed with SIGKILL in the middle of a scenario, while an append waits on the
database and notifications are being delivered: a new worker finishes the scenario, the audit
trail has no gap and no double, and every notification reaches its receiver, a second time
only if it was caught mid-delivery by the crash (with the same Idempotency-Key)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from temporalio.client import Client

from safeside.db import create_pool
from starter.placements import start_placement
from tests.support.faults import (
    FIGURES,
    STREAM_LOCK_SPACE,
    WebhookReceiver,
    WorkerProcess,
    clean_env,
    eventually,
    outbox_by_status,
    versions_by_stream,
)
from tests.support.placements import KEY_WORKER, MANAGER, new_placement_id, start_command
from workflows.domain.commands import EndPlacement, RecordLeafletDelivered
from workflows.domain.policy import Policy
from workflows.placement import PlacementWorkflow

pytestmark = pytest.mark.slow

PLACEMENTS = 10


async def test_a_worker_killed_mid_scenario_loses_and_doubles_nothing(
    reliability_temporal: str,
    client: Client,
    keyring_env: dict[str, str],
    database_url: str,
    task_queue: str,
) -> None:
    receiver = WebhookReceiver(delay=0.5)  # a slow partner agency: deliveries stay in flight
    await receiver.start()
    env = clean_env(
        SAFESIDE_TEMPORAL_ADDRESS=reliability_temporal,
        SAFESIDE_DATABASE_URL=database_url,
        SAFESIDE_TASK_QUEUE=task_queue,
        **keyring_env,
        **receiver.settings_env(),
    )
    pool = await create_pool(database_url)
    blocker = await asyncpg.connect(database_url)
    ids = [new_placement_id() for _ in range(PLACEMENTS)]
    # The last placement's first append waits on its stream lock, held here, until the crash.
    held = ids[-1]
    await blocker.execute("SELECT pg_advisory_lock($1, hashtext($2))", STREAM_LOCK_SPACE, held)
    first = WorkerProcess(env)
    second = WorkerProcess(env)
    try:
        await first.start()
        arrived = datetime.now(UTC) - timedelta(hours=1)
        handles = [
            await start_placement(
                client, start_command(pid, arrived), policy=Policy(), task_queue=task_queue
            )
            for pid in ids
        ]

        async def mid_flight() -> bool:
            waiting = await blocker.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            )
            return waiting >= 1 and len(receiver.in_flight) >= 3

        await eventually(mid_flight, 60, "an append and deliveries in flight")
        await first.kill()
        received_before_crash = set(receiver.received)
        delivered_before_crash = (await outbox_by_status(pool, ids)).get("delivered", set())
        await blocker.execute(
            "SELECT pg_advisory_unlock($1, hashtext($2))", STREAM_LOCK_SPACE, held
        )

        # People keep recording while no worker runs; their actions wait for the next one.
        leaflets = [
            asyncio.create_task(
                h.execute_update(
                    PlacementWorkflow.record,
                    RecordLeafletDelivered(
                        actor=KEY_WORKER,
                        language="Tigrinya",
                        interpreter_reference="INT-55",
                        child_understanding="understood",
                        delivered_at=datetime.now(UTC),
                    ),
                )
            )
            for h in handles
        ]
        await second.start()
        await asyncio.gather(*leaflets)
        for h in handles:
            await h.execute_update(
                PlacementWorkflow.record,
                EndPlacement(actor=MANAGER, reason="moved", ended_at=datetime.now(UTC)),
            )
        outcomes = [await h.result() for h in handles]
    finally:
        await blocker.close()
        for worker in (first, second):
            if worker.process is not None and worker.process.returncode is None:
                await worker.stop()

    versions = await versions_by_stream(pool, ids)
    for outcome in outcomes:
        assert versions[outcome.placement_id] == list(range(1, outcome.final_version + 1))
    for pid in ids:
        assert versions[pid][:3] == [1, 2, 3]  # started, interpreter requested, leaflet
    outbox = await outbox_by_status(pool, ids)
    await pool.close()
    await receiver.stop()
    assert set(outbox) == {"delivered"}
    assert set(receiver.received) == outbox["delivered"]
    resent = receiver.duplicates()
    # A second send only for what the crash cut off between sending and recording it.
    assert set(resent) <= received_before_crash - delivered_before_crash
    assert set(resent.values()) <= {2}

    FIGURES["faults injected: worker SIGKILL"] += 1
    FIGURES["scenarios run"] += 1
    FIGURES["placements checked"] += PLACEMENTS
    FIGURES["events checked"] += sum(len(v) for v in versions.values())
    FIGURES["notifications checked"] += len(outbox["delivered"])
    FIGURES["notifications resent after the crash (same Idempotency-Key)"] += len(resent)
    FIGURES["events lost or doubled"] += 0
