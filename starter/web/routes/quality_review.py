"""The regulation 45 review page: for a unit's Registered Manager, over a period, each figure
as a chart drawn on the server (``starter.web.charts``) followed by a table of its numbers.
The figures are the service's (``starter.services.quality_review``), read through the gate
(``open_unit`` with ``View.quality_review``), so the read is in the access log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from starlette.responses import Response

from starter.services import quality_review
from starter.services.permissions import View
from starter.services.reading import open_unit
from starter.web.charts import chart_svgs
from starter.web.pages import Asked, PageRoute
from starter.web.routes.evidence import asked_period
from starter.web.viewer import signed_in
from workflows.domain.common import OPAQUE_ID_PATTERN

router = APIRouter(route_class=PageRoute, dependencies=[Depends(signed_in)])

PAGE = "/web/units/{unit_id}/quality-review"
UnitId = Annotated[str, Path(pattern=OPAQUE_ID_PATTERN)]


@router.get(PAGE)
async def show(asked: Asked, unit_id: UnitId) -> Response:
    read = await open_unit(asked.services, asked.viewer.principal, unit_id, View.quality_review)
    period = asked_period(asked)
    review, charts = None, {}
    if period.first is not None and period.last is not None:
        review = await quality_review.quality_review(read, period.first, period.last)
        charts = await chart_svgs(review.charts)
    return asked.render(
        "quality_review.html",
        status=422 if period.problems else 200,
        unit_id=unit_id,
        unit_name=await read.display_name(),
        period=period,
        review=review,
        charts=charts,
    )
