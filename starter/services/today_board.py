"""Today, for whoever signs in: children missing now, deadlines overdue and due before
midnight (London) across placements, the escalations a manager takes (those nobody has taken
first) apart from the reminders to workers, the units' next whereabouts checks and, for
managers, placements that are not running; each part read through the gate (``reading``) as
the caller's role may.

Not running (``safeside.not_running``) merges the placements that stored nothing with those
whose workflow Temporal reports as failing its task; when Temporal does not answer, the list
holds the first kind only and says it could not check the second (``failing_checked``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from safeside import not_running
from safeside.db import Pool
from safeside.tokens import Principal
from starter.services.connection import Services
from starter.services.paging import Params
from starter.services.permissions import View, may_read
from starter.services.reading import missing_now, open_view
from starter.services.relationships import visible_placements
from workflows.domain.calendar import london_day_start
from workflows.domain.common import LONDON
from workflows.domain.escalations import is_reminder

RECENT = timedelta(hours=24)
LIST_LIMIT = 100


@dataclass(frozen=True)
class TodayBoard:
    """What the caller may see of today; None for a part their role may not read."""

    missing: list[Any]
    overdue: list[Any] | None
    due_today: list[Any] | None
    escalations: list[Any] | None
    unit_checks: list[Any] | None
    not_running: list[NotRunning] | None
    # False when Temporal did not say which workflows fail their task: ``not_running`` then
    # holds only the placements that stored nothing.
    failing_checked: bool = True
    # Steps that remind a worker (``workflows.domain.escalations``), apart from ``escalations``,
    # which holds those a manager takes, the ones nobody has taken first.
    reminders: list[Any] | None = None


class NotRunning(BaseModel):
    """A placement started at ``placed_at`` whose workflow is not running
    (``safeside.not_running``): it stored nothing since, and the child is on no other list, or
    its task keeps failing, and no clock of the child runs."""

    model_config = ConfigDict(frozen=True)

    placement_id: str
    unit_id: str
    placed_at: datetime
    why: not_running.Why


@dataclass(frozen=True)
class NotRunningList:
    placements: list[NotRunning]
    failing_checked: bool


def _end_of_london_day(now: datetime) -> datetime:
    return london_day_start(now.astimezone(LONDON).date() + timedelta(days=1))


async def today_board(services: Services, caller: Principal, now: datetime) -> TodayBoard:
    missing = await missing_now(services, caller, limit=LIST_LIMIT)
    overdue = due_today = escalations = reminders = unit_checks = None
    if may_read(caller.role, View.deadline_list):
        deadlines = open_view(services, caller, View.deadline_list)
        overdue = (await deadlines.deadlines(status="overdue", limit=LIST_LIMIT))["items"]
        due_today = (
            await deadlines.deadlines(
                status="due", due_before=_end_of_london_day(now), limit=LIST_LIMIT
            )
        )["items"]
        escalations, reminders = await escalations_and_reminders(services, caller, now)
    if may_read(caller.role, View.unit_handover):
        handovers = open_view(services, caller, View.unit_handover)
        unit_checks = await handovers.unit_checks(limit=LIST_LIMIT)
    if not may_read(caller.role, View.not_running):
        return TodayBoard(
            missing, overdue, due_today, escalations, unit_checks, None, reminders=reminders
        )
    stalled = await placements_not_running(services, caller, limit=LIST_LIMIT)
    return TodayBoard(
        missing,
        overdue,
        due_today,
        escalations,
        unit_checks,
        stalled.placements,
        stalled.failing_checked,
        reminders,
    )


async def escalations_and_reminders(
    services: Services, caller: Principal, now: datetime
) -> tuple[list[Any], list[Any]]:
    """The escalations a manager takes (those nobody has taken first) and, apart, the
    reminders to workers, as the caller may read them (Denied for a role that reads no
    deadline list)."""
    deadlines = open_view(services, caller, View.deadline_list)
    raised = await deadlines.escalations(since=now - RECENT, limit=LIST_LIMIT)
    reminders = [step for step in raised if is_reminder(step["notify_role"])]
    return [step for step in raised if not is_reminder(step["notify_role"])], reminders


async def placements_not_running(
    services: Services, caller: Principal, *, limit: int
) -> NotRunningList:
    """The placements the caller may see that are not running, the longest first."""
    failing = await not_running.reported_failing(services.client)
    return NotRunningList(
        await _not_running_rows(services.pool, caller, failing, limit=limit),
        failing_checked=failing is not None,
    )


async def _not_running_rows(
    pool: Pool, caller: Principal, failing: frozenset[str] | None, *, limit: int
) -> list[NotRunning]:
    param = Params()
    ids = param(sorted(failing or ()))
    visible = visible_placements(caller, "h.placement_id", param)
    rows = await pool.fetch(
        f"""SELECT h.placement_id, h.unit_id, h.placed_at,
                   CASE WHEN {not_running.task_failing("h", ids)} THEN 'task_failing'
                        ELSE 'stored_nothing' END AS why
              FROM placement_homes h
             WHERE {not_running.condition("h", ids)} AND {visible}
             ORDER BY h.placed_at, h.placement_id LIMIT {param(limit)}""",
        *param.values,
    )
    return [NotRunning.model_validate(dict(row)) for row in rows]
