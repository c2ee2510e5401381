"""/reports: statutory returns as files, from the projections (``starter.services.ssda903``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.exceptions import RequestValidationError
from starlette.responses import Response

from starter.api.auth import view_read
from starter.api.problems import responses
from starter.services import ssda903
from starter.services.permissions import View
from starter.services.reading import ViewRead

router = APIRouter(prefix="/reports", tags=["reports"])
MissingRead = Annotated[ViewRead, Depends(view_read(View.ssda903_missing))]
# How many placements were left out of the file for want of a date of birth.
LEFT_OUT_HEADER = "Safeside-Left-Out"

_CSV_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The SSDA903 Missing table as CSV (CHILD, DOB, MISSING, MIS_START, "
        f"MIS_END; dd/mm/yyyy). `{LEFT_OUT_HEADER}` counts the placements left out because "
        "their child's date of birth is not recorded.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "headers": {LEFT_OUT_HEADER: {"schema": {"type": "integer", "minimum": 0}}},
    }
}


@router.get(
    "/ssda903-missing",
    response_class=Response,
    responses=_CSV_ANSWER | responses(401, 403, 422, 503),
)
async def ssda903_missing(
    read: MissingRead,
    period_from: Annotated[date, Query(alias="from", description="First day, YYYY-MM-DD")],
    period_to: Annotated[date, Query(alias="to", description="Last day, YYYY-MM-DD")],
) -> Response:
    """The SSDA903 Missing table: every missing or away-without-authorisation episode that
    overlaps the period, of the children the caller works with (their social worker; the
    Registered Manager of their unit). Each child read is in the access log."""
    problems = ssda903.period_problems(period_from, period_to)
    if problems:
        raise RequestValidationError(
            [
                {"loc": ("query", end), "msg": message, "type": "value_error"}
                for end, message in problems.items()
            ]
        )
    table = await ssda903.missing_return(read, period_from, period_to)
    name = f"SSDA903_missing_{period_from:%Y%m%d}-{period_to:%Y%m%d}.csv"
    return Response(
        table.csv,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            LEFT_OUT_HEADER: str(len(table.left_out)),
        },
    )
