"""The worker's small HTTP server, on ``SAFESIDE_WORKER_HEALTH_PORT`` (off when unset):

- ``/health/live``: the process answers (restart it only when this fails);
- ``/health/ready``: Temporal and PostgreSQL answer and the worker is polling its task queue
  (503 while it starts or once it is shutting down);
- ``/metrics``: the same Safeside figures as the API's ``/metrics`` (``safeside.metrics``).

Served by uvicorn inside the worker's own event loop, so it stops with the worker.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel
from temporalio.client import Client
from temporalio.worker import Worker

from safeside.db import Pool
from safeside.health import Liveness, Status, servers_answer, status
from safeside.http_server import serving
from safeside.metrics import metrics_token_accepts, render_metrics
from safeside.settings import Settings


class WorkerReadiness(BaseModel):
    status: Status
    temporal: Status
    postgres: Status
    worker: Status


def worker_health_app(client: Client, pool: Pool, worker: Worker, settings: Settings) -> FastAPI:
    app = FastAPI(title="Safeside worker", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/health/live")
    async def live() -> Liveness:
        return Liveness()

    @app.get("/health/ready")
    async def ready() -> JSONResponse:
        temporal, postgres = await servers_answer(client, pool)
        polling = worker.is_running
        report = WorkerReadiness(
            status=status(temporal and postgres and polling),
            temporal=status(temporal),
            postgres=status(postgres),
            worker=status(polling),
        )
        return JSONResponse(report.model_dump(), status_code=200 if report.status == "ok" else 503)

    @app.get("/metrics")
    async def metrics(request: Request) -> Response:
        if not metrics_token_accepts(settings, request.headers.get("authorization")):
            return JSONResponse(
                {"detail": "the metrics token is required (Authorization: Bearer <token>)"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        return Response(await render_metrics(pool, client), media_type=CONTENT_TYPE_LATEST)

    return app


@contextlib.asynccontextmanager
async def serving_worker_health(
    client: Client, pool: Pool, worker: Worker, settings: Settings
) -> AsyncIterator[str | None]:
    """Serve the worker's health and metrics until the block ends; yields the base URL, or
    None when ``worker_health_port`` is unset."""
    if settings.worker_health_port is None:
        yield None
        return
    async with serving(
        worker_health_app(client, pool, worker, settings),
        settings.worker_health_host,
        settings.worker_health_port,
        what="the worker's health server",
        remedy="choose another with SAFESIDE_WORKER_HEALTH_PORT, or unset it",
        access_log=False,  # probes every few seconds would drown the worker's own lines
    ) as url:
        yield url
