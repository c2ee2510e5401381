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
from starter.services.placements import record_action
from tests.support import faults
from tests.support.placements import leaflet, new_placement_id
from tests.support.workers import end_placements, placement_of, start_placements
from workflows.domain.policy import Policy

pytestmark = pytest.mark.slow

PLACEMENTS = 10


async def test_a_worker_killed_mid_scenario_loses_and_doubles_nothing(
    reliability_temporal: str,
    client: Client,
    keyring_env: dict[str, str],
    database_url: str,
    task_queue: str,
) -> None:
    # A slow partner agency: deliveries stay in flight.
    receiver = faults.WebhookReceiver(delay=0.5)
    await receiver.start()
    env = faults.clean_env(
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
    await blocker.execute(
        "SELECT pg_advisory_lock($1, hashtext($2))", faults.STREAM_LOCK_SPACE, held
    )
    first = faults.WorkerProcess(env)
    second = faults.WorkerProcess(env)
    try:
        await first.start()
        arrived = datetime.now(UTC) - timedelta(hours=1)
        handles = await start_placements(
            client, ids, arrived, task_queue=task_queue, policy=Policy()
        )

        async def mid_flight() -> bool:
            waiting = await blocker.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            )
            return waiting >= 1 and len(receiver.in_flight) >= 3

        await faults.eventually(mid_flight, 60, "an append and deliveries in flight")
        await first.kill()
        received_before_crash = set(receiver.received)
        delivered_before_crash = (await faults.outbox_by_status(pool, ids)).get("delivered", set())
        await blocker.execute(
            "SELECT pg_advisory_unlock($1, hashtext($2))", faults.STREAM_LOCK_SPACE, held
        )

        # People keep recording while no worker runs; their actions wait for the next one.
        leaflets = [
            asyncio.create_task(record_action(client, placement_of(h), leaflet(datetime.now(UTC))))
            for h in handles
        ]
        await second.start()
        await asyncio.gather(*leaflets)
        outcomes = await end_placements(client, handles)
    finally:
        await blocker.close()
        for worker in (first, second):
            if worker.process is not None and worker.process.returncode is None:
                await worker.stop()

    versions = await faults.versions_by_stream(pool, ids)
    for outcome in outcomes:
        assert versions[outcome.placement_id] == list(range(1, outcome.final_version + 1))
    for pid in ids:
        assert versions[pid][:3] == [1, 2, 3]  # started, interpreter requested, leaflet
    outbox = await faults.outbox_by_status(pool, ids)
    await pool.close()
    await receiver.stop()
    assert set(outbox) == {"delivered"}
    assert set(receiver.received) == outbox["delivered"]
    resent = receiver.duplicates()
    # A second send only for what the crash cut off between sending and recording it.
    assert set(resent) <= received_before_crash - delivered_before_crash
    assert set(resent.values()) <= {2}

    faults.FIGURES["faults injected: worker SIGKILL"] += 1
    faults.FIGURES["scenarios run"] += 1
    faults.FIGURES["placements checked"] += PLACEMENTS
    faults.FIGURES["events checked"] += sum(len(v) for v in versions.values())
    faults.FIGURES["notifications checked"] += len(outbox["delivered"])
    faults.FIGURES["notifications resent after the crash (same Idempotency-Key)"] += len(resent)
    faults.FIGURES["events lost or doubled"] += 0
