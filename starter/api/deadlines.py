"""/deadlines: open deadlines across placements, from the projections."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from starter import queries
from starter.api.auth import permitted
from starter.api.dependencies import ServicesDep
from starter.api.problems import responses
from starter.permissions import View
from starter.queries import MAX_PAGE_SIZE, DeadlinePage, DeadlineStatus
from workflows.domain.common import OPAQUE_ID_PATTERN

router = APIRouter(prefix="/deadlines", tags=["deadlines"])


@router.get(
    "",
    response_model=DeadlinePage,
    responses=responses(401, 403, 422, 503),
    dependencies=[Depends(permitted(View.deadline_list))],
)
async def list_deadlines(
    services: ServicesDep,
    status: Annotated[
        DeadlineStatus | None,
        Query(description="due: still in time; overdue: past due; omitted: both"),
    ] = None,
    unit: Annotated[str | None, Query(pattern=OPAQUE_ID_PATTERN)] = None,
    after: Annotated[str | None, Query(description="next_after of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = queries.DEFAULT_PAGE_SIZE,
) -> DeadlinePage:
    """Open deadlines of every open placement, soonest first, a page at a time."""
    return await queries.list_deadlines(
        services.pool, status=status, unit=unit, after=after, limit=limit
    )
