"""GET /metrics: Safeside's figures for Prometheus (``safeside.metrics``).

Not behind the staff tokens, which Prometheus cannot obtain: the figures are counts by enum
values only (no id, no name, no place). With ``SAFESIDE_METRICS_TOKEN`` set, the scraper must
send it as a bearer token (Prometheus: ``authorization: {credentials_file: …}``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST

from safeside.metrics import metrics_token_accepts, render_metrics
from starter.api.auth import NotAuthenticated
from starter.api.dependencies import ServicesDep

router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}, 401: {}},
    summary="Metrics for Prometheus (text exposition format)",
)
async def metrics(request: Request, services: ServicesDep) -> Response:
    if not metrics_token_accepts(services.settings, request.headers.get("authorization")):
        raise NotAuthenticated("the metrics token is required (Authorization: Bearer <token>)")
    figures = await render_metrics(services.pool, services.client)
    return Response(figures, media_type=CONTENT_TYPE_LATEST)
