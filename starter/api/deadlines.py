"""/deadlines: open deadlines across placements, from the projections."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from starter.api.auth import view_read
from starter.api.problems import responses
from starter.services.lists import DeadlinePage, DeadlineStatus
from starter.services.paging import DEFAULT_PAGE_SIZE, MAX_CURSOR_CHARS, MAX_PAGE_SIZE
from starter.services.permissions import View
from starter.services.reading import ViewRead
from workflows.domain.common import OPAQUE_ID_PATTERN

router = APIRouter(prefix="/deadlines", tags=["deadlines"])
DeadlineRead = Annotated[ViewRead, Depends(view_read(View.deadline_list))]


@router.get("", response_model=DeadlinePage, responses=responses(401, 403, 422, 503))
async def list_deadlines(
    read: DeadlineRead,
    status: Annotated[
        DeadlineStatus | None,
        Query(description="due: still in time; overdue: past due; omitted: both"),
    ] = None,
    unit: Annotated[str | None, Query(pattern=OPAQUE_ID_PATTERN)] = None,
    after: Annotated[
        str | None,
        Query(max_length=MAX_CURSOR_CHARS, description="next_after of the previous page"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
) -> Any:
    """Open deadlines of every open placement, soonest first, a page at a time."""
    return await read.deadlines(status=status, unit=unit, after=after, limit=limit)
