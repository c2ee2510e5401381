"""The placements, a page at a time, to find one that is not on Today: the open ones first, the
ended ones apart below them, each list with pages of its own."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from starter.services.permissions import View
from starter.services.reading import open_view
from starter.web.pages import Asked, PageRoute
from starter.web.viewer import signed_in
from workflows.domain.common import OPAQUE_ID_PATTERN

router = APIRouter(route_class=PageRoute, dependencies=[Depends(signed_in)])

PAGE_SIZE = 50


@router.get("/web/placements")
async def placement_list(
    asked: Asked,
    missing: bool = False,
    overdue: bool = False,
    after: Annotated[str | None, Query(pattern=OPAQUE_ID_PATTERN)] = None,
    ended_after: Annotated[str | None, Query(pattern=OPAQUE_ID_PATTERN)] = None,
) -> Response:
    listing = open_view(asked.services, asked.viewer.principal, View.placement_list)
    open_page = await listing.placements(
        overdue=overdue, missing=missing, ended=False, after=after, limit=PAGE_SIZE
    )
    ended_page = await listing.placements(
        overdue=overdue, missing=missing, ended=True, after=ended_after, limit=PAGE_SIZE
    )

    def next_page(**cursor: str | None) -> str:
        """The address of the next page of one list, the other list staying where it is."""
        query = {"missing": "true" if missing else None, "overdue": "true" if overdue else None}
        query |= {"after": after, "ended_after": ended_after} | cursor
        return "/web/placements?" + urlencode({k: v for k, v in query.items() if v})

    return asked.render(
        "placements.html",
        page=open_page,
        ended_page=ended_page,
        next_open=next_page(after=open_page["next_after"]) if open_page["next_after"] else None,
        next_ended=(
            next_page(ended_after=ended_page["next_after"]) if ended_page["next_after"] else None
        ),
        missing=missing,
        overdue=overdue,
    )
