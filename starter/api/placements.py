"""/placements: start one, list them, read one's live state, deadlines, handover and trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from starter import placements, queries
from starter.api.dependencies import PlacementId, ServicesDep
from starter.api.idempotency import Outcome, answer_once
from starter.api.problems import Problem, responses
from starter.placements import PlacementAlreadyOpen, start_placement
from starter.queries import MAX_PAGE_SIZE, AuditPage, PlacementPage
from workflows.domain import Deadline, DomainError, HandoverSummary, PlacementState, StartPlacement
from workflows.domain.common import OPAQUE_ID_PATTERN

router = APIRouter(prefix="/placements", tags=["placements"])

START_ROUTE = "POST /placements"


class StartedPlacement(BaseModel):
    placement_id: str
    status: str = "open"


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Send the same key to retry safely: the same request gets the same answer.",
    ),
]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]


@router.post(
    "",
    status_code=201,
    response_model=StartedPlacement,
    responses=responses(409, 422, 503),
    summary="Start a placement: the child has arrived",
)
async def start(
    command: StartPlacement, services: ServicesDep, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    async def run() -> Outcome:
        try:
            await start_placement(
                services.client,
                command,
                policy=services.policy,
                task_queue=services.settings.task_queue,
            )
        except (PlacementAlreadyOpen, DomainError) as refusal:
            return 409, Problem(detail=str(refusal)).model_dump()
        return 201, StartedPlacement(placement_id=command.placement_id).model_dump()

    if idempotency_key is None:
        status_code, body = await run()
        replayed = False
    else:
        answer = await answer_once(services.pool, START_ROUTE, idempotency_key, command, run)
        status_code, body, replayed = answer.status_code, answer.body, answer.replayed
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    if status_code == 201:
        headers["Location"] = f"{router.prefix}/{command.placement_id}"
    return JSONResponse(body, status_code=status_code, headers=headers)


@router.get("", response_model=PlacementPage, responses=responses(422, 503))
async def list_placements(
    services: ServicesDep,
    unit: Annotated[str | None, Query(pattern=OPAQUE_ID_PATTERN)] = None,
    overdue: bool = False,
    missing: bool = False,
    after: Annotated[str | None, Query(description="next_after of the previous page")] = None,
    limit: Limit = queries.DEFAULT_PAGE_SIZE,
) -> PlacementPage:
    """Placements from the projections in id order, filtered, a page at a time."""
    return await queries.list_placements(
        services.pool, unit=unit, overdue=overdue, missing=missing, after=after, limit=limit
    )


@router.get("/{placement_id}", response_model=PlacementState, responses=responses(404, 422, 503))
async def show(placement_id: PlacementId, services: ServicesDep) -> PlacementState:
    """The placement's live state, from its workflow."""
    return await placements.current_state(services.client, placement_id)


@router.get(
    "/{placement_id}/deadlines",
    response_model=list[Deadline],
    responses=responses(404, 422, 503),
)
async def deadlines(placement_id: PlacementId, services: ServicesDep) -> list[Deadline]:
    """The placement's open deadlines as of now, soonest first, from its workflow."""
    return await placements.open_deadlines(services.client, placement_id)


@router.get(
    "/{placement_id}/handover",
    response_model=HandoverSummary,
    responses=responses(404, 422, 503),
)
async def handover(placement_id: PlacementId, services: ServicesDep) -> HandoverSummary:
    """What the shift taking over needs (R16): risks and deadlines in time and overdue."""
    return await placements.handover(services.client, placement_id)


@router.get("/{placement_id}/audit", response_model=AuditPage, responses=responses(404, 422, 503))
async def audit(
    placement_id: PlacementId,
    services: ServicesDep,
    after_version: Annotated[int, Query(ge=0)] = 0,
    limit: Limit = 100,
) -> AuditPage:
    """The chronology from the audit trail in PostgreSQL (R15), in version order."""
    return await queries.audit_trail(
        services.pool, placement_id, after_version=after_version, limit=limit
    )
