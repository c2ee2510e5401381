"""Workers scale out: two `python worker.py` processes on one task queue share the arrival work
of 200 placements, and losing a worker mid-run, gracefully (SIGTERM) or not (SIGKILL), loses
nothing: every placement's arrival events are stored once and every notification delivered.

Each worker serves the Temporal SDK's metrics (SAFESIDE_TEMPORAL_METRICS_ADDRESS) and its
health endpoints (SAFESIDE_WORKER_HEALTH_PORT); the SDK's activity counts show who did what."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from safeside.db import Pool, create_pool
from safeside.embedded.processes import free_port
from safeside.ids import placement_workflow_id, unit_workflow_id
from starter.services.placements import start_placement
from tests.support import faults
from tests.support.placements import new_placement_id, start_command
from tests.support.security import security_env
from workflows.domain.policy import Policy

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

PLACEMENTS = 200


class ObservedWorker(faults.WorkerProcess):
    """A worker process with its health server and SDK metrics on ports of its own."""

    def __init__(self, env: dict[str, str]) -> None:
        self.health_port = free_port()
        self.sdk_metrics_port = free_port()
        super().__init__(
            env
            | {
                "SAFESIDE_WORKER_HEALTH_PORT": str(self.health_port),
                "SAFESIDE_TEMPORAL_METRICS_ADDRESS": f"127.0.0.1:{self.sdk_metrics_port}",
            }
        )

    async def ready(self) -> bool:
        async with httpx.AsyncClient() as http:
            answer = await http.get(f"http://127.0.0.1:{self.health_port}/health/ready")
        return answer.status_code == 200

    async def activities_run(self, task_queue: str) -> float:
        """How many activities this worker has run on ``task_queue``, by its SDK metrics."""
        async with httpx.AsyncClient() as http:
            text = (await http.get(f"http://127.0.0.1:{self.sdk_metrics_port}/metrics")).text
        return sum(
            sample.value
            for family in text_string_to_metric_families(text)
            if family.name == "temporal_activity_execution_latency"
            for sample in family.samples
            if sample.name.endswith("_count") and sample.labels.get("task_queue") == task_queue
        )

    def appended(self) -> set[str]:
        """The placements whose events this worker appended, by its own log."""
        return {r["placement_id"] for r in self.logged if r.get("event") == "events appended"}


async def placements_stored(pool: Pool, ids: list[str]) -> int:
    versions = await faults.versions_by_stream(pool, ids)
    return sum(1 for stored in versions.values() if stored == [1, 2])


async def test_workers_share_two_hundred_placements_and_losing_one_loses_nothing(
    dev_env: WorkflowEnvironment, database_url: str, task_queue: str
) -> None:
    receiver = faults.WebhookReceiver()
    await receiver.start()
    env = faults.clean_env(
        SAFESIDE_TEMPORAL_ADDRESS=dev_env.client.service_client.config.target_host,
        SAFESIDE_DATABASE_URL=database_url,
        SAFESIDE_TASK_QUEUE=task_queue,
        **security_env(),
        **receiver.settings_env(),
    )
    first, second, third = ObservedWorker(env), ObservedWorker(env), ObservedWorker(env)
    pool = await create_pool(database_url, max_size=4)
    unit_id = f"UNIT-{uuid.uuid4().hex[:8]}"
    ids = [new_placement_id() for _ in range(PLACEMENTS)]
    arrived = datetime.now(UTC) - timedelta(hours=1)
    workflow_ids = [placement_workflow_id(pid) for pid in ids] + [unit_workflow_id(unit_id)]
    try:
        await asyncio.gather(first.start(), second.start())
        for worker in (first, second):
            await faults.eventually(worker.ready, 30, "a worker's readiness")
        await asyncio.gather(
            *(
                start_placement(
                    dev_env.client,
                    start_command(pid, arrived, unit_id=unit_id),
                    policy=Policy(),
                    task_queue=task_queue,
                )
                for pid in ids
            )
        )

        async def both_working() -> bool:
            counts = [await w.activities_run(task_queue) for w in (first, second)]
            return all(count > 0 for count in counts)

        await faults.eventually(both_working, 60, "both workers running activities")
        stored_at_sigterm = await placements_stored(pool, ids)
        assert await first.stop() == 0  # SIGTERM: running activities finish first

        await third.start()
        await faults.eventually(third.ready, 30, "the third worker's readiness")
        stored_at_sigkill = await placements_stored(pool, ids)
        # Recorded as delivered now: never sent again, whatever happens next.
        delivered_before_kill = (await faults.outbox_by_status(pool, ids)).get("delivered", set())
        await second.kill()  # SIGKILL: its running activities time out and run again

        async def all_arrived() -> bool:
            outbox = await faults.outbox_by_status(pool, ids)
            return await placements_stored(pool, ids) == PLACEMENTS and set(outbox) == {"delivered"}

        await faults.eventually(all_arrived, 150, "every placement's arrival work")
        third_ran = await third.activities_run(task_queue)
    finally:
        for worker in (first, second, third):
            if worker.process is not None and worker.process.returncode is None:
                await worker.stop()
        for workflow_id in workflow_ids:
            with contextlib.suppress(RPCError):  # never started or already gone: as good
                await dev_env.client.get_workflow_handle(workflow_id).terminate("test finished")
        await receiver.stop()

    # Both workers took part before the first was stopped, and the stops came mid-run.
    assert first.appended(), "the first worker appended nothing"
    assert second.appended(), "the second worker appended nothing"
    assert stored_at_sigterm < PLACEMENTS
    assert stored_at_sigkill < PLACEMENTS
    assert third_ran > 0

    # Nothing lost: every placement's arrival events, once each, in order.
    versions = await faults.versions_by_stream(pool, ids)
    assert set(map(tuple, versions.values())) == {(1, 2)}
    outbox = await faults.outbox_by_status(pool, ids)
    await pool.close()
    delivered = outbox["delivered"]
    assert {key.rsplit(":", 2)[0] for key in delivered} == set(ids)
    assert {int(key.rsplit(":", 2)[1]) for key in delivered} == {1, 2}
    # Every notification reached the partner agency; a second time only if the SIGKILL cut it
    # off between sending it and recording it sent (same Idempotency-Key, so no double).
    assert set(receiver.received) == delivered
    resent = receiver.duplicates()
    assert not set(resent) & delivered_before_kill
    assert set(resent.values()) <= {2}
