"""/access-log: who read which placement, when; for the auditor alone."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from starter.api.auth import view_read
from starter.api.problems import responses
from starter.services.access_log import AccessPage
from starter.services.paging import MAX_PAGE_SIZE, MAX_ROW_ID
from starter.services.permissions import View
from starter.services.reading import ViewRead
from workflows.domain.common import OPAQUE_ID_PATTERN

router = APIRouter(prefix="/access-log", tags=["access log"])
AccessLogRead = Annotated[ViewRead, Depends(view_read(View.access_log))]


@router.get("", response_model=AccessPage, responses=responses(401, 403, 422, 503))
async def access_log(
    read: AccessLogRead,
    placement: Annotated[str | None, Query(pattern=OPAQUE_ID_PATTERN)] = None,
    after: Annotated[
        int, Query(ge=0, le=MAX_ROW_ID, description="next_after of the previous page")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
) -> Any:
    """Every read of a placement (allowed or refused), oldest first, a page at a time."""
    return await read.access_log(placement=placement, after=after, limit=limit)
