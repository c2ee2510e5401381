"""/placements: start one, list them, read one's live state, deadlines, handover, trail, who
was told and the Philomena Protocol profile; move one onto the policy in force.

Every read of one placement goes through the service layer's gate, which checks the permission
table and writes the access log first (``placement_read``); every answer is redacted for the
caller's role."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from safeside.contracts.workflows import RecordResult
from starter.api.auth import Caller, placement_read
from starter.api.dependencies import PlacementId, ServicesDep
from starter.api.idempotency import Outcome, answer_once
from starter.api.problems import REFUSABLE_WRITE_ANSWERS, Problem, responses
from starter.services import policy_changes
from starter.services.audit_trail import AuditPage
from starter.services.lists import PlacementPage
from starter.services.notices import NoticePage
from starter.services.paging import DEFAULT_PAGE_SIZE, MAX_CURSOR_CHARS, MAX_PAGE_SIZE, MAX_VERSION
from starter.services.permissions import View
from starter.services.philomena import PhilomenaSheet
from starter.services.placements import PlacementAlreadyOpen
from starter.services.reading import PlacementRead, open_view
from starter.services.recording import placement_command, start_placement_workflow
from workflows.domain.commands import StartPlacement
from workflows.domain.common import OPAQUE_ID_PATTERN
from workflows.domain.deadlines import Deadline
from workflows.domain.errors import DomainError
from workflows.domain.events import PlacementFacts
from workflows.domain.state import PlacementState
from workflows.domain.summary import HandoverSummary

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
NEXT_AFTER = "next_after of the previous page"

# Leave to read this of the path's placement, the read written to the access log.
StateRead = Annotated[PlacementRead, Depends(placement_read(View.placement_state))]
DeadlinesRead = Annotated[PlacementRead, Depends(placement_read(View.placement_deadlines))]
HandoverRead = Annotated[PlacementRead, Depends(placement_read(View.handover))]
AuditRead = Annotated[PlacementRead, Depends(placement_read(View.audit_trail))]
NoticesRead = Annotated[PlacementRead, Depends(placement_read(View.notifications))]
PhilomenaRead = Annotated[PlacementRead, Depends(placement_read(View.philomena_profile))]


@router.post(
    "",
    status_code=201,
    response_model=StartedPlacement,
    responses=REFUSABLE_WRITE_ANSWERS,
    summary="Start a placement: the child has arrived",
)
async def start(
    facts: PlacementFacts,
    caller: Caller,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """The body is the start facts; the Registered Manager starting it is the caller."""
    command = placement_command(caller, StartPlacement, facts.model_dump())

    async def run() -> Outcome:
        try:
            await start_placement_workflow(services, command)
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


@router.get("", response_model=PlacementPage, responses=responses(401, 403, 422, 503))
async def list_placements(
    services: ServicesDep,
    caller: Caller,
    unit: Annotated[str | None, Query(pattern=OPAQUE_ID_PATTERN)] = None,
    overdue: bool = False,
    missing: bool = False,
    after: Annotated[
        str | None, Query(pattern=OPAQUE_ID_PATTERN, description="next_after of the previous page")
    ] = None,
    limit: Limit = DEFAULT_PAGE_SIZE,
) -> JSONResponse:
    """Placements from the projections in id order, filtered, a page at a time."""
    page = await open_view(services, caller, View.placement_list).placements(
        unit=unit, overdue=overdue, missing=missing, after=after, limit=limit
    )
    return JSONResponse(page)


_READ_ANSWERS = responses(401, 403, 404, 422, 503)


@router.get("/{placement_id}", response_model=PlacementState, responses=_READ_ANSWERS)
async def show(read: StateRead) -> JSONResponse:
    """The placement's live state, from its workflow."""
    return JSONResponse(await read.state())


@router.get("/{placement_id}/deadlines", response_model=list[Deadline], responses=_READ_ANSWERS)
async def deadlines(read: DeadlinesRead) -> JSONResponse:
    """The placement's open deadlines as of now, soonest first, from its workflow."""
    return JSONResponse(await read.deadlines())


@router.get("/{placement_id}/handover", response_model=HandoverSummary, responses=_READ_ANSWERS)
async def handover(read: HandoverRead) -> JSONResponse:
    """What the shift taking over needs (R16): risks and deadlines in time and overdue."""
    return JSONResponse(await read.handover())


@router.get("/{placement_id}/audit", response_model=AuditPage, responses=_READ_ANSWERS)
async def audit(
    read: AuditRead,
    after_version: Annotated[int, Query(ge=0, le=MAX_VERSION)] = 0,
    limit: Limit = 100,
) -> JSONResponse:
    """The chronology from the audit trail in PostgreSQL (R15), in version order."""
    return JSONResponse(await read.audit_trail(after_version=after_version, limit=limit))


@router.get("/{placement_id}/notifications", response_model=NoticePage, responses=_READ_ANSWERS)
async def notifications(
    read: NoticesRead,
    after: Annotated[str | None, Query(max_length=MAX_CURSOR_CHARS, description=NEXT_AFTER)] = None,
    limit: Limit = DEFAULT_PAGE_SIZE,
) -> JSONResponse:
    """Who was told: every notice the placement's events owed (recipient, purpose, when owed,
    the channel configured now), delivered, pending (with its attempts) or failed; the newest
    event first."""
    return JSONResponse(await read.notices(after=after, limit=limit))


@router.get("/{placement_id}/philomena", response_model=PhilomenaSheet, responses=_READ_ANSWERS)
async def philomena_profile(read: PhilomenaRead) -> JSONResponse:
    """The Philomena Protocol profile for the police: part 1 (`philomena_profile`: the child's
    description, references to photographs, clothing, known associates and places; null until
    recorded) and part 2 (`missing_report`: the open missing episode, or the latest, with where
    and when the child was last seen). Whole for the staff of the child's unit; everyone else
    who may read the child sees its structure, the profile's fields redacted."""
    return JSONResponse(await read.philomena_profile())


@router.post(
    "/{placement_id}/policy",
    response_model=RecordResult,
    responses=responses(401, 403, 404, 409, 422, 503),
    summary="Move the placement onto the policy in force (its Registered Manager)",
)
async def adopt_policy_in_force(
    placement_id: PlacementId, caller: Caller, services: ServicesDep
) -> RecordResult:
    """From now on the placement's clocks and ladders are the policy in force (the settings'
    policy file), recorded as `policy_changed`; `events` is empty when it ran under it
    already. For the child's Registered Manager."""
    return await policy_changes.adopt_policy_in_force(services, caller, placement_id)
