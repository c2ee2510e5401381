"""Disaster recovery from the audit trail: Temporal's database is lost under open placements
with clocks running (the dev server stopped, its SQLite file deleted, started again empty),
and `safeside recover` starts the unit's workflow and every open placement's again from
PostgreSQL. Each answers at its stored version with its stored state; no escalation is raised
twice; the step that fell due while Temporal was gone is raised exactly once; the notices not
yet delivered go out, once each; the ended placement stays ended."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner, Result
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from activities import resumption
from activities.errors import ChannelError
from activities.messages import Notification
from safeside.db import Pool
from safeside.ids import placement_workflow_id, unit_workflow_id
from safeside.log import configure_logging
from starter.cli import cli
from starter.services.placements import start_placement
from tests.support import faults
from tests.support.placements import end, new_placement_id, start_command
from tests.support.security import security_env, security_settings
from tests.support.servers import start_dev_server
from tests.support.starter import eventually
from tests.support.stored_streams import stored_state, stored_version
from tests.support.units import new_unit_id, start_unit_workflow
from tests.support.workers import PlacementHandle, RecordingChannel, real_worker
from workflows.domain.common import Role
from workflows.domain.ladders import EscalationStep
from workflows.domain.policy import ClockPolicy, Policy
from workflows.domain.state import PlacementState
from workflows.domain.unit.events import unit_stream_id
from workflows.domain.unit.state import UnitState
from workflows.placement import PlacementWorkflow
from workflows.unit import UnitWorkflow

# The placement whose Duty Manager step falls due while Temporal is gone: its leaflet is due
# 12 s after it starts (time enough to store everything first, on a busy machine), and its
# reminder, 15 s before the deadline, is due at once.
LEAFLET_WITHIN = timedelta(seconds=25)
REMINDER_BEFORE = timedelta(seconds=15)
ARRIVED_AGO = LEAFLET_WITHIN - timedelta(seconds=12)
# Short claims, so a delivery cut off by the worker's stop frees its row at once.
SETTINGS = security_settings(notify_timeout_seconds=1)


def quick_leaflet_policy() -> Policy:
    """The leaflet due in seconds: a reminder before, the Duty Manager at the deadline, the
    Registered Manager an hour later (never within the test)."""
    defaults = Policy()
    ladder = (
        EscalationStep(name="reminder", offset=-REMINDER_BEFORE),
        EscalationStep(name="duty_manager", offset=timedelta(0), notify_role=Role.duty_manager),
        EscalationStep(
            name="registered_manager",
            offset=timedelta(hours=1),
            notify_role=Role.registered_manager,
        ),
    )
    leaflet = ClockPolicy(requirement="R1", responsible_role=Role.key_worker, ladder=ladder)
    return defaults.model_copy(
        update={
            "leaflet_within": LEAFLET_WITHIN,
            "clocks": defaults.clocks.model_copy(update={"leaflet": leaflet}),
        }
    )


class ChannelDownFor(RecordingChannel):
    """Refuses every notice of one placement while ``down``; takes every other."""

    def __init__(self, placement_id: str) -> None:
        super().__init__()
        self.placement_id = placement_id
        self.down = True

    async def send(self, message: Notification) -> None:
        if self.down and message.stream_id == self.placement_id:
            raise ChannelError("the partner agency does not answer (a test's outage)")
        await super().send(message)


async def test_recover_rebuilds_every_open_workflow_from_postgresql_after_temporal_lost_its_data(
    server_tmp_path: Path, pool: Pool, database_url: str, task_queue: str
) -> None:
    temporal_db = server_tmp_path / "temporal.db"
    unit = unit_stream_id(new_unit_id())
    unit_id = unit.removeprefix("unit:")
    late, waiting, ended = new_placement_id(), new_placement_id(), new_placement_id()
    channel = ChannelDownFor(late)

    before = await start_dev_server(db_filename=str(temporal_db))
    try:
        client = before.client
        async with real_worker(client, pool, channel, task_queue=task_queue, settings=SETTINGS):
            # The unit stores its events within a second, so its stream is in PostgreSQL.
            await start_unit_workflow(client, unit_id, task_queue)
            arrived = datetime.now(UTC) - ARRIVED_AGO
            await _start(client, late, arrived, unit_id, quick_leaflet_policy(), task_queue)
            hour_ago = datetime.now(UTC) - timedelta(hours=1)
            await _start(client, waiting, hour_ago, unit_id, Policy(), task_queue)
            leaving = await _start(client, ended, hour_ago, unit_id, Policy(), task_queue)
            await leaving.execute_update(PlacementWorkflow.record, end(datetime.now(UTC)))
            await leaving.result()

            async def all_stored() -> bool:
                return (
                    await _stored_as_running(client, pool, late, waiting)
                    and (late, "leaflet", "0") in await _escalations(pool)
                    and await _unit_stored(client, pool, unit_id, residents={late, waiting})
                )

            await eventually(all_stored)
        # Nothing got through to the late placement's partners, and its Duty Manager step
        # is not due yet: both are for after the loss.
        assert await _undelivered(pool, late)
        assert (late, "leaflet", "1") not in await _escalations(pool)
    finally:
        await before.shutdown()

    escalations_before = await _escalations(pool)
    stored = {stream: await stored_state(pool, stream) for stream in (late, waiting, ended, unit)}
    undelivered_before = await _undelivered(pool, late)
    _wipe(temporal_db)
    await _until(arrived + LEAFLET_WITHIN + timedelta(seconds=1))  # due while Temporal is gone

    after = await start_dev_server(db_filename=str(temporal_db))
    try:
        client = after.client
        assert not await _exists(client, placement_workflow_id(waiting)), "Temporal is empty"
        channel.down = False
        async with real_worker(client, pool, channel, task_queue=task_queue, settings=SETTINGS):
            recovered = await _safeside_recover(after, database_url, task_queue)
            assert recovered.exit_code == 0, recovered.output
            placements = sorted([late, waiting, ended])
            assert recovered.stdout.splitlines() == [
                f"[1/4] unit {unit} at version {stored[unit].version}: recovered",
                *(
                    f"[{n}/4] placement {p} at version {stored[p].version}: "
                    + ("ended, skipped" if p == ended else "recovered")
                    for n, p in enumerate(placements, start=2)
                ),
                "recovered 3, already running 0, ended skipped 1",
            ]

            # The waiting placement and the unit answer with exactly what was stored.
            assert await _running_state(client, waiting) == stored[waiting]
            assert await _running_unit_state(client, unit_id) == stored[unit]

            # The late placement resumed at its stored version, recorded the step that fell
            # due while Temporal was gone, and delivered what it still owed.
            async def caught_up() -> bool:
                return (
                    await stored_version(pool, late) == stored[late].version + 2
                    and await _stored_as_running(client, pool, late)
                    and not await _undelivered(pool, late)
                )

            await eventually(caught_up)
            trail = (await resumption.read_stream(pool, late)).events
            assert [e.event_type for e in trail[stored[late].version :]] == [
                "deadline_missed",
                "escalation_raised",
            ]
            assert trail[-1].payload["step_name"] == "duty_manager"
            sent = channel.times_sent()
            assert [sent[key] for key in sorted(undelivered_before)] == [1] * len(
                undelivered_before
            )

        escalations = await _escalations(pool)
        assert set(escalations.values()) == {1}, f"raised twice: {escalations}"
        assert set(escalations) == {
            *escalations_before,
            (late, "leaflet", "missed"),
            (late, "leaflet", "1"),
        }
        assert not await _exists(client, placement_workflow_id(ended))
        faults.FIGURES["faults injected: Temporal's data wiped under open workflows"] += 1
        faults.FIGURES["workflows recovered from the audit trail"] += 3
        faults.FIGURES["escalations raised again after recovery"] += sum(
            n - 1 for n in escalations.values()
        )
        faults.FIGURES["escalations that fell due while Temporal was gone, raised once"] += 1
        faults.FIGURES["notices owed before the wipe, delivered once after it"] += len(
            undelivered_before
        )
        for workflow_id in (
            placement_workflow_id(late),
            placement_workflow_id(waiting),
            unit_workflow_id(unit_id),
        ):
            await client.get_workflow_handle(workflow_id).terminate("test finished")
    finally:
        await after.shutdown()


async def _start(
    client: Client,
    placement_id: str,
    arrived: datetime,
    unit_id: str,
    policy: Policy,
    task_queue: str,
) -> PlacementHandle:
    command = start_command(
        placement_id, arrived, looked_after_since=arrived.date(), unit_id=unit_id
    )
    return await start_placement(client, command, policy=policy, task_queue=task_queue)


async def _safeside_recover(env: WorkflowEnvironment, database_url: str, task_queue: str) -> Result:
    """``safeside recover`` against the new server, in a thread: the command runs its own
    event loop while the worker runs on the test's."""
    variables: dict[str, str | None] = {
        **security_env(),
        "SAFESIDE_TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
        "SAFESIDE_DATABASE_URL": database_url,
        "SAFESIDE_TASK_QUEUE": task_queue,
        "SAFESIDE_LOG_LEVEL": "WARNING",
        "SAFESIDE_POLICY_FILE": None,
    }
    try:
        return await asyncio.to_thread(CliRunner().invoke, cli, ["recover"], env=variables)
    finally:
        # The command pointed logging at the runner's captured stream, now closed.
        configure_logging("console", "WARNING")


async def _escalations(pool: Pool) -> Counter[tuple[str, str, str]]:
    """How many times each (stream, deadline, step) was stored raised ("missed": the
    deadline missed)."""
    rows = await pool.fetch(
        """SELECT stream_id, payload->>'deadline_id' AS deadline_id,
                  coalesce(payload->>'step_index', 'missed') AS step
             FROM events
            WHERE event_type IN
                  ('escalation_raised', 'deadline_missed', 'unit_escalation_raised')"""
    )
    return Counter((row["stream_id"], row["deadline_id"], row["step"]) for row in rows)


async def _undelivered(pool: Pool, stream_id: str) -> set[str]:
    rows = await pool.fetch(
        "SELECT idempotency_key FROM notifications WHERE stream_id = $1 AND status <> 'delivered'",
        stream_id,
    )
    return {row["idempotency_key"] for row in rows}


async def _running_state(client: Client, placement_id: str) -> PlacementState:
    handle = client.get_workflow_handle_for(
        PlacementWorkflow.run, placement_workflow_id(placement_id)
    )
    return await handle.query(PlacementWorkflow.current_state)


async def _running_unit_state(client: Client, unit_id: str) -> UnitState:
    handle = client.get_workflow_handle_for(UnitWorkflow.run, unit_workflow_id(unit_id))
    return await handle.query(UnitWorkflow.current_state)


async def _stored_as_running(client: Client, pool: Pool, *placement_ids: str) -> bool:
    """Every event each placement's workflow has decided is in PostgreSQL."""
    for placement_id in placement_ids:
        running = await _running_state(client, placement_id)
        if await stored_version(pool, placement_id) != running.version:
            return False
    return True


async def _unit_stored(client: Client, pool: Pool, unit_id: str, *, residents: set[str]) -> bool:
    running = await _running_unit_state(client, unit_id)
    return {r.placement_id for r in running.residents} == residents and (
        await stored_version(pool, unit_stream_id(unit_id)) == running.version
    )


async def _exists(client: Client, workflow_id: str) -> bool:
    try:
        await client.get_workflow_handle(workflow_id).describe()
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


def _wipe(temporal_db: Path) -> None:
    """Temporal's data lost: the SQLite file, its write-ahead log and shared memory."""
    for lost in temporal_db.parent.glob(f"{temporal_db.name}*"):
        lost.unlink()
    assert not temporal_db.exists()


async def _until(moment: datetime) -> None:
    await asyncio.sleep(max((moment - datetime.now(UTC)).total_seconds(), 0))
