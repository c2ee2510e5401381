"""/access-log: who read which placement, when; for the auditor alone."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from starter.access_log import AccessPage, list_access_log
from starter.api.auth import permitted
from starter.api.dependencies import ServicesDep
from starter.api.problems import responses
from starter.permissions import View
from starter.queries import MAX_PAGE_SIZE
from workflows.domain.common import OPAQUE_ID_PATTERN

router = APIRouter(prefix="/access-log", tags=["access log"])


@router.get(
    "",
    response_model=AccessPage,
    responses=responses(401, 403, 422, 503),
    dependencies=[Depends(permitted(View.access_log))],
)
async def access_log(
    services: ServicesDep,
    placement: Annotated[str | None, Query(pattern=OPAQUE_ID_PATTERN)] = None,
    after: Annotated[int, Query(ge=0, description="next_after of the previous page")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
) -> AccessPage:
    """Every read of a placement (allowed or refused), oldest first, a page at a time."""
    return await list_access_log(services.pool, placement_id=placement, after=after, limit=limit)
