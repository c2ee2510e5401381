"""``safeside demo``: a manager's first ten minutes, played in under a minute.

A placement starts under a demo policy whose leaflet clock runs for seconds instead of 24
hours; nobody records the leaflet, so the reminder and then the Duty Manager escalation arrive
by themselves; the leaflet is then recorded late, the placement ended (so no demo clock runs
on), and the audit trail printed. It goes through the same paths as the command line and the
API, against whatever stack the settings name (``make run`` by default).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from safeside.errors import ServiceUnavailable
from safeside.settings import Settings
from starter.cli.output import deadline_table, render_audit
from starter.services.audit_trail import AuditEntry, audit_trail
from starter.services.connection import Services, connected
from starter.services.placements import (
    PlacementNotFound,
    open_deadlines,
    record_action,
    start_placement,
)
from workflows.domain.commands import EndPlacement, RecordLeafletDelivered, StartPlacement
from workflows.domain.common import LONDON, Actor, RiskLevel, Role
from workflows.domain.ladders import EscalationStep
from workflows.domain.policy import ClockPolicy, Policy

Say = Callable[[str], None]

MANAGER = Actor(role=Role.registered_manager, reference="demo-manager")
KEY_WORKER = Actor(role=Role.key_worker, reference="demo-key-worker")
LANGUAGE = "Tigrinya"
POLL_SECONDS = 0.5
# How long past the Duty Manager step the demo waits before saying the worker is not there.
PATIENCE = timedelta(seconds=30)


def demo_policy(leaflet_due_in: timedelta) -> Policy:
    """The default policy with a leaflet clock of seconds: a reminder half-way, the Duty
    Manager at the deadline, the Registered Manager as long again after it."""
    half = leaflet_due_in / 2
    defaults = Policy()
    leaflet = ClockPolicy(
        requirement="R1",
        responsible_role=Role.key_worker,
        ladder=(
            EscalationStep(name="reminder", offset=-half),
            EscalationStep(name="duty_manager", offset=timedelta(0), notify_role=Role.duty_manager),
            EscalationStep(
                name="registered_manager",
                offset=leaflet_due_in,
                notify_role=Role.registered_manager,
            ),
        ),
    )
    return defaults.model_copy(
        update={
            "leaflet_within": leaflet_due_in,
            "clocks": defaults.clocks.model_copy(update={"leaflet": leaflet}),
        }
    )


async def run_demo(settings: Settings, *, leaflet_due_in: int, say: Say) -> str:
    async with connected(settings) as services:
        return await play(services, leaflet_due_in=timedelta(seconds=leaflet_due_in), say=say)


async def play(services: Services, *, leaflet_due_in: timedelta, say: Say) -> str:
    """Play the story; return the demo placement's id."""
    began = time.monotonic()
    placement_id = f"DEMO-{uuid.uuid4().hex[:8]}"
    seconds = int(leaflet_due_in.total_seconds())

    def elapsed() -> str:
        return f"[{time.monotonic() - began:3.0f}s]"

    def step(text: str) -> None:
        say(f"\n{elapsed()} {text}")

    step(
        f"A child arrives. The Registered Manager starts placement {placement_id}.\n"
        f"      Demo policy: the leaflet (R1) is due {seconds} s after arrival "
        "instead of 24 hours."
    )
    arrived = datetime.now(UTC) - timedelta(seconds=1)
    await start_placement(
        services.client,
        _start(placement_id, arrived),
        policy=demo_policy(leaflet_due_in),
        task_queue=services.settings.task_queue,
    )
    step("Open deadlines, from the placement's workflow:")
    say(deadline_table(await open_deadlines(services.client, placement_id)))

    step("Nobody records the leaflet. Waiting for the clock to escalate by itself…")
    await _watch_until_escalated(
        services, placement_id, arrived + leaflet_due_in, lambda line: say(f"{elapsed()}   {line}")
    )

    step("The key worker records the leaflet, late.")
    late = await record_action(services.client, placement_id, _leaflet(datetime.now(UTC)))
    say(f"      recorded: {', '.join(late.events)} (version {late.version})")
    remaining = await open_deadlines(services.client, placement_id)
    say(f"      the leaflet deadline is closed; next due: {remaining[0].deadline_id}")

    step("The demo ends its placement, so no demo clock runs on.")
    ended = await record_action(
        services.client,
        placement_id,
        EndPlacement(actor=MANAGER, reason="moved", ended_at=datetime.now(UTC)),
    )
    trail = await _trail_until(services, placement_id, ended.version)
    step(f"The audit trail in PostgreSQL (`safeside placement audit {placement_id}`):")
    say(render_audit(trail, "table"))
    say(f"\nDone in {time.monotonic() - began:.0f} s. Placement {placement_id} is kept, ended.")
    return placement_id


def _start(placement_id: str, arrived: datetime) -> StartPlacement:
    return StartPlacement(
        actor=MANAGER,
        placement_id=placement_id,
        case_reference=f"CASE-{placement_id}",
        unit_id="DEMO-UNIT",
        first_language=LANGUAGE,
        looked_after_since=arrived.astimezone(LONDON).date(),
        arrived_at=arrived,
        placing_authority="Demo Borough Council",
        social_worker_reference="demo-social-worker",
        initial_risk_level=RiskLevel.high,
        ukvi_relevant=True,
    )


def _leaflet(at: datetime) -> RecordLeafletDelivered:
    return RecordLeafletDelivered(
        actor=KEY_WORKER,
        language=LANGUAGE,
        interpreter_reference="demo-interpreter",
        child_understanding="understood; asked who to call if someone phones",
        delivered_at=at,
    )


async def _watch_until_escalated(
    services: Services, placement_id: str, due_at: datetime, say: Say
) -> None:
    """Print each clock event as it lands in the audit trail, until the Duty Manager is told."""
    give_up_at = due_at + PATIENCE
    seen = 0
    while True:
        trail = await _trail(services, placement_id)
        for entry in trail[seen:]:
            say(_describe(entry))
        seen = len(trail)
        if any(_duty_manager_told(entry) for entry in trail):
            return
        if datetime.now(UTC) > give_up_at:
            raise ServiceUnavailable(
                f"no escalation arrived {int(PATIENCE.total_seconds())} s after the deadline: is "
                f"a worker running on task queue {services.settings.task_queue}? "
                "(`make run` starts one)"
            )
        await asyncio.sleep(POLL_SECONDS)


async def _trail(services: Services, placement_id: str) -> list[AuditEntry]:
    try:
        page = await audit_trail(services.pool, placement_id, limit=1000)
    except PlacementNotFound:
        return []  # its first events are still on their way to PostgreSQL
    return page.entries


async def _trail_until(services: Services, placement_id: str, version: int) -> list[AuditEntry]:
    """The trail once ``version`` is stored (events reach PostgreSQL a moment after the
    workflow accepts them)."""
    deadline = time.monotonic() + PATIENCE.total_seconds()
    while True:
        trail = await _trail(services, placement_id)
        if trail and trail[-1].version >= version:
            return trail
        if time.monotonic() > deadline:
            raise ServiceUnavailable(
                "the audit trail did not catch up: is the worker able to reach PostgreSQL?"
            )
        await asyncio.sleep(POLL_SECONDS)


def _duty_manager_told(entry: AuditEntry) -> bool:
    return (
        entry.event_type == "escalation_raised"
        and entry.details.get("deadline_id") == "leaflet"
        and entry.details.get("notify_role") == Role.duty_manager.value
    )


def _describe(entry: AuditEntry) -> str:
    d = entry.details
    if entry.event_type == "escalation_raised":
        return (
            f"escalation: {d.get('step_name')} -> {d.get('notify_role')} ({d.get('deadline_id')})"
        )
    if entry.event_type == "deadline_missed":
        return f"deadline missed: {d.get('deadline_id')}"
    return entry.event_type.replace("_", " ")
