"""The placements, a page at a time, to find one that is not on Today."""

from __future__ import annotations

from typing import Annotated

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
) -> Response:
    listing = open_view(asked.services, asked.viewer.principal, View.placement_list)
    page = await listing.placements(overdue=overdue, missing=missing, after=after, limit=PAGE_SIZE)
    return asked.render(
        "placements.html",
        page=page,
        missing=missing,
        overdue=overdue,
    )
