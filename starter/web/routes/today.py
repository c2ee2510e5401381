"""Today, the landing page for a Duty Manager: children missing now, deadlines overdue and due
today across placements, the escalations of the last day, and the units' next whereabouts
checks. The live part is a fragment the page fetches again by itself (htmx polling)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from starter import queries, today
from starter.api.dependencies import ServicesDep
from starter.permissions import View
from starter.redaction import redacted_answer
from starter.services import Services
from starter.web.pages import PageRoute, render
from starter.web.viewer import SignedIn, Viewer, signed_in
from workflows.domain.calendar import london_day_start
from workflows.domain.common import LONDON

router = APIRouter(route_class=PageRoute, dependencies=[Depends(signed_in)])

LIVE_PATH = "/web/today"
RECENT = timedelta(hours=24)
LIST_LIMIT = 100


@dataclass(frozen=True)
class TodayBoard:
    """What the viewer may see of today; None for a part their role may not read."""

    missing: list[Any]
    overdue: list[Any] | None
    due_today: list[Any] | None
    escalations: list[Any] | None
    unit_checks: list[Any] | None


def _end_of_london_day(now: datetime) -> datetime:
    return london_day_start(now.astimezone(LONDON).date() + timedelta(days=1))


async def today_board(services: Services, viewer: Viewer, now: datetime) -> TodayBoard:
    pool, role = services.pool, viewer.role
    # Every part goes through the permission table and is redacted for the role, as the API's
    # lists are (the unit of a missing child is location).
    missing = redacted_answer(role, await today.missing_now(pool, limit=LIST_LIMIT))
    overdue = due_today = escalations = unit_checks = None
    if viewer.can_read(View.deadline_list):
        overdue_page = await queries.list_deadlines(pool, status="overdue", limit=LIST_LIMIT)
        due_page = await queries.list_deadlines(
            pool, status="due", due_before=_end_of_london_day(now), limit=LIST_LIMIT
        )
        overdue = redacted_answer(role, overdue_page.items)
        due_today = redacted_answer(role, due_page.items)
        raised = await today.recent_escalations(pool, since=now - RECENT, limit=LIST_LIMIT)
        escalations = redacted_answer(role, raised)
    if viewer.can_read(View.unit_handover):
        units = await today.units_with_children(pool, limit=LIST_LIMIT)
        unit_checks = redacted_answer(role, await today.next_unit_checks(services.client, units))
    return TodayBoard(missing, overdue, due_today, escalations, unit_checks)


def refresh_seconds(request: Request) -> int:
    seconds: int = request.app.state.web_refresh_seconds
    return seconds


@router.get("/")
async def today_page(request: Request, viewer: SignedIn, services: ServicesDep) -> Response:
    now = datetime.now(UTC)
    board = await today_board(services, viewer, now)
    return render(
        request,
        "today.html",
        viewer=viewer,
        board=board,
        live_path=LIVE_PATH,
        refresh_seconds=refresh_seconds(request),
    )


@router.get(LIVE_PATH)
async def today_live(request: Request, viewer: SignedIn, services: ServicesDep) -> Response:
    board = await today_board(services, viewer, datetime.now(UTC))
    return render(request, "_today_live.html", viewer=viewer, board=board)
