"""A placement-year on the time-skipping server: history growth, replay time, and the year's
audit trail read back from PostgreSQL.

The year: arrival work on the first day; a diligent unit that meets each clock on the day it
falls due (every third social worker visit a few days late, so escalations climb too); a
weekly record; a missing episode a month (reported, back six hours later, the return
interview the next day). Payloads are encrypted, as in production; activities are the
in-memory ones of the workflow tests, since what grows the history is the workflow's own
commands. The unit's hourly checks run in the unit's workflow, not the placement's: its year
is ``bench.unit_year``.

Run alone: ``.venv/bin/python -m bench.placement_year [DAYS]``.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from activities.event_store import EventStore
from bench.stack import throwaway_database
from safeside.contracts.activities import AppendBatch
from safeside.contracts.workflows import DEFAULT_EVENTS_PER_RUN
from safeside.log import configure_logging
from starter.services.audit_trail import audit_trail
from tests.replay.record_histories import every_run
from tests.support.placements import (
    KEY_WORKER,
    MANAGER,
    SOCIAL_WORKER,
    assessment,
    leaflet,
    observation,
    record_return,
    report_missing,
    return_interview,
    visit,
)
from tests.support.running import Running, running_placement
from tests.support.servers import start_time_skipping
from workflows.domain.commands import (
    RecordLookedAfterReview,
    RecordMissingProceduresExplained,
    RecordNrmReferral,
    RecordPlanningMeeting,
)
from workflows.domain.common import Actor, DeadlineKind, RiskLevel, Role
from workflows.domain.deadlines import Deadline
from workflows.domain.policy import Policy
from workflows.registry import WORKFLOWS, workflow_runner

DAY = timedelta(days=1)
IRO = Actor(role=Role.independent_reviewing_officer, reference="iro-9")
# The audit trail is read as the API pages it.
AUDIT_PAGE = 100


@dataclass(frozen=True)
class YearFigures:
    days: int
    events: int
    runs: int
    history_events: int  # over every run of the year
    largest_history: int
    replay_seconds: float  # every run's history, one after another
    audit_rows: int
    audit_seconds: float  # the whole trail, page by page
    simulate_seconds: float

    @property
    def history_per_event(self) -> float:
        """Temporal history events for each domain event stored: what the workflow costs the
        server beyond the events themselves (activities, timers, signals, continue-as-new)."""
        return self.history_events / max(self.events, 1)


def satisfying(deadline: Deadline, now: datetime, running: Running) -> object | None:
    """The record that meets ``deadline``, as staff would make it on the day."""
    kind = deadline.kind
    if kind is DeadlineKind.leaflet:
        return leaflet(now)
    if kind is DeadlineKind.missing_procedures:
        return RecordMissingProceduresExplained(actor=KEY_WORKER, explained_at=now)
    if kind in (DeadlineKind.risk_assessment, DeadlineKind.risk_review):
        return assessment(now, RiskLevel.high)
    if kind is DeadlineKind.planning_meeting:
        return RecordPlanningMeeting(
            actor=MANAGER, held_at=now, young_person_present=True, child_views="wants to stay"
        )
    if kind is DeadlineKind.lac_review:
        return RecordLookedAfterReview(
            actor=IRO, held_at=now, chaired_by_iro_reference="iro-9", child_views="settled"
        )
    if kind is DeadlineKind.sw_visit:
        return visit(now)
    if kind is DeadlineKind.nrm_referral:
        return RecordNrmReferral(actor=SOCIAL_WORKER, referred_at=now, referral_reference="NRM-1")
    if kind is DeadlineKind.return_interview:
        number = deadline.deadline_id.rsplit(":", 1)[1]
        return return_interview(f"{running.placement_id}-M{number}", now)
    return None  # a missing episode is met by the child's return, below


async def live_a_year(running: Running, days: int) -> None:
    late_visits = 0
    for day in range(days):
        now = await running.env.get_current_time()
        for deadline in await running.deadlines():
            if deadline.due_at > now + DAY:
                continue
            if deadline.kind is DeadlineKind.sw_visit and deadline.overdue is False:
                late_visits += 1
                if late_visits % 3 == 0:
                    continue  # this visit slips a few days: its ladder climbs
            command = satisfying(deadline, now, running)
            if command is not None:
                await running.record(command)
        if day % 7 == 3:
            await running.record(observation(now))
        if day % 30 == 15:
            await running.record(report_missing(now - timedelta(minutes=30)))
            await running.env.sleep(timedelta(hours=6))
            back = await running.env.get_current_time()
            await running.record(record_return(back))
            await running.env.sleep(DAY - timedelta(hours=6))
        else:
            await running.env.sleep(DAY)
    await running.settled()


async def replay_seconds(histories: list[WorkflowHistory], converter: object) -> float:
    replayer = Replayer(
        workflows=WORKFLOWS,
        workflow_runner=workflow_runner(),
        data_converter=converter,  # type: ignore[arg-type]
    )
    began = time.perf_counter()
    for history in histories:
        result = await replayer.replay_workflow(history)
        if result.replay_failure is not None:
            raise result.replay_failure
    return time.perf_counter() - began


async def audit_read(running: Running) -> tuple[int, float]:
    """Store the year's events in a real PostgreSQL as the workflow's appends did, then time
    reading the whole trail back page by page (as the API and the web page do)."""
    stream = running.fakes.events[running.placement_id]
    with tempfile.TemporaryDirectory() as folder:
        async with throwaway_database(Path(folder)) as (_, pool):
            store = EventStore(pool, Policy())
            for first in range(0, len(stream), 20):
                batch = stream[first : first + 20]
                await store.append(
                    AppendBatch(
                        stream_id=running.placement_id,
                        expected_version=batch[0].version - 1,
                        events=batch,
                        notifications=[],
                    )
                )
            began = time.perf_counter()
            rows, after = 0, 0
            while True:
                page = await audit_trail(
                    pool, running.placement_id, after_version=after, limit=AUDIT_PAGE
                )
                rows += len(page.entries)
                if page.next_after_version is None:
                    break
                after = page.next_after_version
            return rows, time.perf_counter() - began


async def measure(days: int = 365) -> YearFigures:
    env = await start_time_skipping()
    try:
        async with running_placement(
            env, f"bench-year-{uuid.uuid4().hex[:8]}", events_per_run=DEFAULT_EVENTS_PER_RUN
        ) as running:
            began = time.perf_counter()
            await live_a_year(running, days)
            simulated = time.perf_counter() - began
            handle = running.handle
            first_run = handle.first_execution_run_id or handle.run_id
            assert first_run is not None
            histories = await every_run(env.client, handle.id, first_run)
            replayed = await replay_seconds(histories, env.client.data_converter)
            rows, audit = await audit_read(running)
            events = len(running.fakes.events[running.placement_id])
    finally:
        await env.shutdown()
    return YearFigures(
        days=days,
        events=events,
        runs=len(histories),
        history_events=sum(len(history.events) for history in histories),
        largest_history=max(len(history.events) for history in histories),
        replay_seconds=replayed,
        audit_rows=rows,
        audit_seconds=audit,
        simulate_seconds=simulated,
    )


def describe(figures: YearFigures) -> list[str]:
    return [
        f"placement-year ({figures.days} days): {figures.events} events, "
        f"{figures.events / figures.days:.1f} a day; {figures.runs} runs, largest history "
        f"{figures.largest_history} events (warning threshold 10,240); simulated in "
        f"{figures.simulate_seconds:.1f} s",
        f"  history: {figures.history_events} events over every run, "
        f"{figures.history_per_event:.1f} for each domain event stored (target ≤ 5)",
        f"  replay of every run: {figures.replay_seconds:.2f} s",
        f"  audit trail from PostgreSQL: {figures.audit_rows} rows in "
        f"{1000 * figures.audit_seconds:.1f} ms ({AUDIT_PAGE} a page)",
    ]


if __name__ == "__main__":
    configure_logging("console", "WARNING")
    year = asyncio.run(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 365))
    print("\n".join(describe(year)))
