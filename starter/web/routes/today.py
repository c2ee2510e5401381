"""Today, the landing page for a Duty Manager: children missing now, deadlines overdue and due
today across placements, the escalations of the last day, and the units' next whereabouts
checks (``starter.services.today_board``). The live part is a fragment the page fetches again
by itself (htmx polling)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from starter.services.today_board import today_board
from starter.web.pages import Asked, PageRoute
from starter.web.viewer import signed_in

router = APIRouter(route_class=PageRoute, dependencies=[Depends(signed_in)])

LIVE_PATH = "/web/today"


def refresh_seconds(request: Request) -> int:
    seconds: int = request.app.state.web_refresh_seconds
    return seconds


@router.get("/")
async def today_page(asked: Asked) -> Response:
    board = await today_board(asked.services, asked.viewer.principal, datetime.now(UTC))
    return asked.render(
        "today.html",
        board=board,
        live_path=LIVE_PATH,
        refresh_seconds=refresh_seconds(asked.request),
    )


@router.get(LIVE_PATH)
async def today_live(asked: Asked) -> Response:
    board = await today_board(asked.services, asked.viewer.principal, datetime.now(UTC))
    return asked.render("_today_live.html", board=board)
