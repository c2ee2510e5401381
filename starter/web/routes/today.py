"""Today, the landing page for a Duty Manager: children missing now, deadlines overdue and due
today across placements, the escalations of the last day, and the units' next whereabouts
checks (``starter.services.today_board``). The live part is a fragment the page fetches again
by itself (htmx polling)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from starter.services.permissions import View
from starter.services.today_board import TodayBoard, today_board
from starter.web import missing_alert
from starter.web.pages import Asked, PageRoute
from starter.web.viewer import Viewer, signed_in
from workflows.domain.common import OPAQUE_ID_PATTERN

router = APIRouter(route_class=PageRoute, dependencies=[Depends(signed_in)])

LIVE_PATH = "/web/today"
# The placement ids of the children the page showed missing, sent back by each refresh.
KNOWN_MAX_LENGTH = 100 * 65
_OPAQUE_ID = re.compile(OPAQUE_ID_PATTERN)


def refresh_seconds(request: Request) -> int:
    seconds: int = request.app.state.web_refresh_seconds
    return seconds


def missing_alerts(board: TodayBoard, viewer: Viewer) -> list[missing_alert.MissingAlert]:
    notices_shown = viewer.can_read(View.notifications)
    return [missing_alert.from_today(child, notices_shown=notices_shown) for child in board.missing]


def missing_ids(board: TodayBoard) -> list[str]:
    return [str(child["placement_id"]) for child in board.missing]


def known_ids(known: str | None) -> list[str] | None:
    """The ids the page showed missing; None when the request did not say (no announcement)."""
    if known is None:
        return None
    return [part for part in known.split(",") if _OPAQUE_ID.match(part)]


@router.get("/")
async def today_page(asked: Asked) -> Response:
    board = await today_board(asked.services, asked.viewer.principal, datetime.now(UTC))
    return asked.render(
        "today.html",
        board=board,
        alerts=missing_alerts(board, asked.viewer),
        missing_ids=missing_ids(board),
        tab_title=missing_alert.tab_title(len(board.missing), "Today"),
        live_path=LIVE_PATH,
        refresh_seconds=refresh_seconds(asked.request),
    )


@router.get(LIVE_PATH)
async def today_live(
    asked: Asked, known: Annotated[str | None, Query(max_length=KNOWN_MAX_LENGTH)] = None
) -> Response:
    """The live part, with the tab's title (htmx sets it from the fragment's ``<title>``) and,
    when the children missing changed since the page showed them, what the page's live
    region announces (an out-of-band swap)."""
    board = await today_board(asked.services, asked.viewer.principal, datetime.now(UTC))
    ids = missing_ids(board)
    return asked.render(
        "_today_live.html",
        board=board,
        alerts=missing_alerts(board, asked.viewer),
        missing_ids=ids,
        fragment=True,
        tab_title=missing_alert.tab_title(len(board.missing), "Today"),
        announcement=missing_alert.announcement(known_ids(known), ids),
    )
