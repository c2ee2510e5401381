"""Inspection evidence as CSV files (``starter.services.evidence``): the regulation 40
notifications register and the missing-from-care record, of a unit or one child, over a
period. (The regulation 45 review is a page: ``starter.web.routes.quality_review``.)

A unit's files are for its own Duty and Registered Managers; a child's for them and the
auditor (structure only: the case reference reads ``[redacted]``). Every read goes through the
gate, so it is in the access log, allowed or refused."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.exceptions import RequestValidationError
from starlette.responses import Response

from starter.api.auth import Caller, placement_read
from starter.api.dependencies import ServicesDep, UnitId
from starter.api.problems import responses
from starter.services import evidence, ssda903
from starter.services.permissions import View
from starter.services.reading import PlacementRead, UnitRead, open_unit

router = APIRouter(tags=["evidence"])

First = Annotated[
    date | None, Query(alias="from", description="First day, YYYY-MM-DD; six months ago if none")
]
Last = Annotated[date | None, Query(alias="to", description="Last day, YYYY-MM-DD; today if none")]

_CSV: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The evidence as CSV, a header line then one line per row; times are "
        "ISO 8601 on the London clock; a field the caller may not see reads `[redacted]`.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}
_CSV_ANSWER = _CSV | responses(401, 403, 422, 503)


def unit_read(view: View) -> Callable[[UnitId, Caller, ServicesDep], Awaitable[UnitRead]]:
    """Leave to read ``view`` of the path's unit (its own staff in a role that may), logged."""

    async def open_(unit_id: UnitId, caller: Caller, services: ServicesDep) -> UnitRead:
        return await open_unit(services, caller, unit_id, view)

    return open_


def checked_period(first: date | None, last: date | None) -> tuple[date, date]:
    """The period asked for (the last six months, to today, by default), or 422 at the end
    that is wrong (``from``, ``to``)."""
    default_first, default_last = evidence.default_period(datetime.now(UTC))
    first, last = first or default_first, last or default_last
    problems = ssda903.period_problems(first, last)
    if problems:
        raise RequestValidationError(
            [
                {"loc": ("query", end), "msg": message, "type": "value_error"}
                for end, message in problems.items()
            ]
        )
    return first, last


def csv_answer(text: str, name: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


REGISTER = "reg40-register"
RECORD = "missing-record"

# Each kind of evidence by its address: its rows' reader and its CSV columns.
_KINDS = {
    REGISTER: (evidence.reg40_register, evidence.REG40_COLUMNS),
    RECORD: (evidence.missing_record, evidence.MISSING_RECORD_COLUMNS),
}


async def evidence_csv(
    what: str, read: evidence.EvidenceRead, subject: str, first: date | None, last: date | None
) -> Response:
    """The ``what`` (``REGISTER`` or ``RECORD``) of ``subject``, the unit or child ``read``
    opens, over the period asked for, as a CSV file; 422 for a wrong period."""
    first, last = checked_period(first, last)
    rows_of, columns = _KINDS[what]
    rows = await rows_of(read, first, last)
    return csv_answer(evidence.as_csv(rows, columns), evidence.csv_name(what, subject, first, last))


@router.get(f"/units/{{unit_id}}/{REGISTER}", response_class=Response, responses=_CSV_ANSWER)
async def unit_register(
    read: Annotated[UnitRead, Depends(unit_read(View.reg40_register))],
    first: First = None,
    last: Last = None,
) -> Response:
    """The reg 40 notifications register of the unit: every notice to Ofsted, the placing
    authority and the police owed by an event of the period, with its delivery."""
    return await evidence_csv(REGISTER, read, read.unit_id, first, last)


@router.get(
    f"/placements/{{placement_id}}/{REGISTER}", response_class=Response, responses=_CSV_ANSWER
)
async def placement_register(
    read: Annotated[PlacementRead, Depends(placement_read(View.reg40_register))],
    first: First = None,
    last: Last = None,
) -> Response:
    """The reg 40 notifications register of one child."""
    return await evidence_csv(REGISTER, read, read.placement_id, first, last)


@router.get(f"/units/{{unit_id}}/{RECORD}", response_class=Response, responses=_CSV_ANSWER)
async def unit_record(
    read: Annotated[UnitRead, Depends(unit_read(View.missing_record))],
    first: First = None,
    last: Last = None,
) -> Response:
    """The missing-from-care record of the unit: every missing or away episode overlapping
    the period, its length, the police's reference recorded or not, the return interview."""
    return await evidence_csv(RECORD, read, read.unit_id, first, last)


@router.get(
    f"/placements/{{placement_id}}/{RECORD}", response_class=Response, responses=_CSV_ANSWER
)
async def placement_record(
    read: Annotated[PlacementRead, Depends(placement_read(View.missing_record))],
    first: First = None,
    last: Last = None,
) -> Response:
    """The missing-from-care record of one child."""
    return await evidence_csv(RECORD, read, read.placement_id, first, last)
