"""/placements/adoptions and /placements/imports: Safeside taken on in a unit whose children
already live there, by its Registered Manager (``starter.services.adoption``).

An adoption is a start that carries what was done before; an import is a CSV file of them,
one child a row, answered with what started, what was already adopted and each refused row
with its field errors.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from starter.api.auth import Caller
from starter.api.dependencies import ServicesDep
from starter.api.errors import invalid
from starter.api.placements import StartedPlacement
from starter.api.problems import REFUSABLE_WRITE_ANSWERS, FieldProblem, responses
from starter.command_fields import without_actor
from starter.services.adoption import (
    ImportFileRefused,
    ImportReport,
    adopt_placement_workflow,
    import_adoptions,
)
from starter.services.recording import placement_command
from workflows.domain.adoption_command import AdoptPlacement

router = APIRouter(prefix="/placements", tags=["placements"])

AdoptionBody: Any = without_actor(AdoptPlacement)
CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "description": "One child a row; the columns are the fields of an adoption "
        "(POST /placements/adoptions); a cell with several values separates them with |.",
    }
}


@router.post(
    "/adoptions",
    status_code=201,
    response_model=StartedPlacement,
    responses=REFUSABLE_WRITE_ANSWERS,
    summary="Adopt a placement: the child already lives in the unit",
)
async def adopt(body: AdoptionBody, caller: Caller, services: ServicesDep) -> JSONResponse:
    """The start facts and what is already done, each step with its own date; the Registered
    Manager adopting it is the caller. What was already overdue is told once to them; a
    placement id already used is `409`."""
    command = placement_command(caller, AdoptPlacement, body.model_dump(exclude_unset=True))
    await adopt_placement_workflow(services, command)
    return JSONResponse(
        StartedPlacement(placement_id=command.placement_id).model_dump(),
        status_code=201,
        headers={"Location": f"{router.prefix}/{command.placement_id}"},
    )


@router.post(
    "/imports",
    response_model=ImportReport,
    responses=responses(401, 403, 413, 422, 503),
    openapi_extra=CSV_BODY,
    summary="Adopt a whole unit: one placement per row of a CSV file",
)
async def import_file(request: Request, caller: Caller, services: ServicesDep) -> JSONResponse:
    """Every row is checked before any starts; the good rows start; a row whose placement is
    already there is reported as already adopted, so the same file sent again starts nothing."""
    try:
        text = (await request.body()).decode("utf-8-sig")
    except UnicodeDecodeError:
        return invalid([FieldProblem(field="body", message="the file must be CSV, in UTF-8")])
    try:
        report = await import_adoptions(services, caller, text)
    except ImportFileRefused as refused:
        return invalid([FieldProblem(field=p.field, message=p.message) for p in refused.problems])
    return JSONResponse(report.model_dump(mode="json"))
