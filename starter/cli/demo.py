"""``safeside demo``: a manager's first ten minutes, played in under a minute.

A placement starts under a demo policy whose leaflet clock runs for seconds instead of 24
hours; nobody records the leaflet, so the reminder and then the Duty Manager escalation arrive
by themselves; the leaflet is then recorded late, the placement ended (so no demo clock runs
on), and the audit trail printed. It is the operator's command, so it needs no token: it makes
its own unit and staff if they are not there yet (``organisation_seed``) and plays them through
the same service layer as the command line, the API and the web page (their permissions, their
relationship to the child, the access log), against whatever stack the settings name
(``make run`` by default).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from safeside.errors import ServiceUnavailable
from safeside.settings import Settings
from safeside.tokens import Principal
from starter.cli.organisation_seed import Organisation, Person, ensure_organisation
from starter.cli.output import Record, deadline_table, render_audit
from starter.command_fields import ACTIONS
from starter.services.connection import Services, connected
from starter.services.permissions import View
from starter.services.placements import PlacementNotFound
from starter.services.reading import PlacementRead, open_placement
from starter.services.recording import (
    placement_command,
    record_placement_action,
    start_placement_workflow,
)
from workflows.domain.commands import StartPlacement
from workflows.domain.common import LONDON, RiskLevel, Role
from workflows.domain.policy import ClockPolicy, Policy, standard_ladder

Say = Callable[[str], None]

UNIT_ID = "DEMO-UNIT"
MANAGER = Principal(subject="demo-manager", role=Role.registered_manager)
KEY_WORKER = Principal(subject="demo-key-worker", role=Role.key_worker)
# The demo's unit and the two people it plays, made by the demo as the administrator would.
DEMO_ORGANISATION = Organisation(
    units={UNIT_ID: "Demo House"},
    staff=(
        Person(MANAGER.subject, (MANAGER.role,), (UNIT_ID,)),
        Person(KEY_WORKER.subject, (KEY_WORKER.role,), (UNIT_ID,)),
    ),
)
DEMO_ADMINISTRATOR = Principal(subject="safeside-demo", role=Role.administrator)
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
        ladder=standard_ladder(half, registered_manager_after=leaflet_due_in),
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

    await ensure_organisation(services.pool, DEMO_ADMINISTRATOR, DEMO_ORGANISATION)
    step(
        f"A child arrives. The Registered Manager starts placement {placement_id}.\n"
        f"      Demo policy: the leaflet (R1) is due {seconds} s after arrival "
        "instead of 24 hours."
    )
    arrived = datetime.now(UTC) - timedelta(seconds=1)
    command = placement_command(MANAGER, StartPlacement, _start(placement_id, arrived))
    await start_placement_workflow(services, command, policy=demo_policy(leaflet_due_in))
    step("Open deadlines, from the placement's workflow:")
    say(deadline_table(await _deadlines(services, placement_id)))

    step("Nobody records the leaflet. Waiting for the clock to escalate by itself…")
    trail = await open_placement(services, MANAGER, View.audit_trail, placement_id)
    await _watch_until_escalated(
        services, trail, arrived + leaflet_due_in, lambda line: say(f"{elapsed()}   {line}")
    )

    step("The key worker records the leaflet, late.")
    late = await record_placement_action(
        services, KEY_WORKER, placement_id, ACTIONS["leaflet-delivered"], _leaflet()
    )
    say(f"      recorded: {', '.join(late.events)} (version {late.version})")
    remaining = await _deadlines(services, placement_id)
    say(f"      the leaflet deadline is closed; next due: {remaining[0]['deadline_id']}")

    step("The demo ends its placement, so no demo clock runs on.")
    ended = await record_placement_action(
        services,
        MANAGER,
        placement_id,
        ACTIONS["end-placement"],
        {"reason": "moved", "ended_at": datetime.now(UTC)},
    )
    entries = await _trail_until(trail, ended.version)
    step(f"The audit trail in PostgreSQL (`safeside placement audit {placement_id}`):")
    say(render_audit(entries, "table"))
    say(f"\nDone in {time.monotonic() - began:.0f} s. Placement {placement_id} is kept, ended.")
    return placement_id


def _start(placement_id: str, arrived: datetime) -> dict[str, Any]:
    return {
        "placement_id": placement_id,
        "case_reference": f"CASE-{placement_id}",
        "unit_id": UNIT_ID,
        "first_language": LANGUAGE,
        "looked_after_since": arrived.astimezone(LONDON).date(),
        "arrived_at": arrived,
        "placing_authority": "Demo Borough Council",
        "social_worker_reference": "demo-social-worker",
        "initial_risk_level": RiskLevel.high,
        "ukvi_relevant": True,
    }


def _leaflet() -> dict[str, Any]:
    return {
        "language": LANGUAGE,
        "interpreter_reference": "demo-interpreter",
        "child_understanding": "understood; asked who to call if someone phones",
        "delivered_at": datetime.now(UTC),
    }


async def _deadlines(services: Services, placement_id: str) -> list[Record]:
    """The open deadlines, as the manager reads them (the read is in the access log)."""
    read = await open_placement(services, MANAGER, View.placement_deadlines, placement_id)
    deadlines: list[Record] = await read.deadlines()
    return deadlines


async def _watch_until_escalated(
    services: Services, trail: PlacementRead, due_at: datetime, say: Say
) -> None:
    """Print each clock event as it lands in the audit trail, until the Duty Manager is told."""
    give_up_at = due_at + PATIENCE
    seen = 0
    while True:
        entries = await _entries(trail)
        for entry in entries[seen:]:
            say(_describe(entry))
        seen = len(entries)
        if any(_duty_manager_told(entry) for entry in entries):
            return
        if datetime.now(UTC) > give_up_at:
            raise ServiceUnavailable(
                f"no escalation arrived {int(PATIENCE.total_seconds())} s after the deadline: is "
                f"a worker running on task queue {services.settings.task_queue}? "
                "(`make run` starts one)"
            )
        await asyncio.sleep(POLL_SECONDS)


async def _entries(trail: PlacementRead) -> list[Record]:
    """The audit trail so far, read with the one leave the manager was given (so the access
    log holds one read, not one per poll)."""
    try:
        page = await trail.audit_trail(after_version=0, limit=1000)
    except PlacementNotFound:
        return []  # its first events are still on their way to PostgreSQL
    entries: list[Record] = page["entries"]
    return entries


async def _trail_until(trail: PlacementRead, version: int) -> list[Record]:
    """The trail once ``version`` is stored (events reach PostgreSQL a moment after the
    workflow accepts them)."""
    deadline = time.monotonic() + PATIENCE.total_seconds()
    while True:
        entries = await _entries(trail)
        if entries and entries[-1]["version"] >= version:
            return entries
        if time.monotonic() > deadline:
            raise ServiceUnavailable(
                "the audit trail did not catch up: is the worker able to reach PostgreSQL?"
            )
        await asyncio.sleep(POLL_SECONDS)


def _duty_manager_told(entry: Record) -> bool:
    details = entry.get("details") or {}
    return (
        entry.get("event_type") == "escalation_raised"
        and details.get("deadline_id") == "leaflet"
        and details.get("notify_role") == Role.duty_manager.value
    )


def _describe(entry: Record) -> str:
    d = entry.get("details") or {}
    event_type = str(entry.get("event_type"))
    if event_type == "escalation_raised":
        return (
            f"escalation: {d.get('step_name')} -> {d.get('notify_role')} ({d.get('deadline_id')})"
        )
    if event_type == "deadline_missed":
        return f"deadline missed: {d.get('deadline_id')}"
    return event_type.replace("_", " ")
