"""The placements, a page at a time, to find one that is not on Today."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from starter import queries
from starter.api.dependencies import ServicesDep
from starter.permissions import View, check_view
from starter.redaction import redacted_answer
from starter.web.pages import PageRoute, render
from starter.web.viewer import SignedIn, signed_in
from workflows.domain.common import OPAQUE_ID_PATTERN

router = APIRouter(route_class=PageRoute, dependencies=[Depends(signed_in)])

PAGE_SIZE = 50


@router.get("/web/placements")
async def placement_list(
    request: Request,
    viewer: SignedIn,
    services: ServicesDep,
    missing: bool = False,
    overdue: bool = False,
    after: Annotated[str | None, Query(pattern=OPAQUE_ID_PATTERN)] = None,
) -> Response:
    check_view(viewer.role, View.placement_list)
    page = await queries.list_placements(
        services.pool, overdue=overdue, missing=missing, after=after, limit=PAGE_SIZE
    )
    return render(
        request,
        "placements.html",
        viewer=viewer,
        page=redacted_answer(viewer.role, page),
        missing=missing,
        overdue=overdue,
    )
