"""Today, for whoever signs in: children missing now, deadlines overdue and due before
midnight (London) across placements, the escalations of the last day, the units' next
whereabouts checks and, for managers, placements that are not running; each part read through
the gate (``reading``) as the caller's role may."""

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


class NotRunning(BaseModel):
    """A placement started at ``placed_at`` whose workflow has stored nothing since
    (``safeside.not_running``): the child is on no other list."""

    model_config = ConfigDict(frozen=True)

    placement_id: str
    unit_id: str
    placed_at: datetime


def _end_of_london_day(now: datetime) -> datetime:
    return london_day_start(now.astimezone(LONDON).date() + timedelta(days=1))


async def today_board(services: Services, caller: Principal, now: datetime) -> TodayBoard:
    missing = await missing_now(services, caller, limit=LIST_LIMIT)
    overdue = due_today = escalations = unit_checks = None
    if may_read(caller.role, View.deadline_list):
        deadlines = open_view(services, caller, View.deadline_list)
        overdue = (await deadlines.deadlines(status="overdue", limit=LIST_LIMIT))["items"]
        due_today = (
            await deadlines.deadlines(
                status="due", due_before=_end_of_london_day(now), limit=LIST_LIMIT
            )
        )["items"]
        escalations = await deadlines.escalations(since=now - RECENT, limit=LIST_LIMIT)
    if may_read(caller.role, View.unit_handover):
        handovers = open_view(services, caller, View.unit_handover)
        unit_checks = await handovers.unit_checks(limit=LIST_LIMIT)
    stalled = None
    if may_read(caller.role, View.not_running):
        stalled = await placements_not_running(services.pool, caller, limit=LIST_LIMIT)
    return TodayBoard(missing, overdue, due_today, escalations, unit_checks, stalled)


async def placements_not_running(pool: Pool, caller: Principal, *, limit: int) -> list[NotRunning]:
    """The placements the caller may see that are not running, the longest first."""
    param = Params()
    visible = visible_placements(caller, "h.placement_id", param)
    rows = await pool.fetch(
        f"""SELECT h.placement_id, h.unit_id, h.placed_at FROM placement_homes h
             WHERE {not_running.condition("h")} AND {visible}
             ORDER BY h.placed_at, h.placement_id LIMIT {param(limit)}""",
        *param.values,
    )
    return [NotRunning.model_validate(dict(row)) for row in rows]
