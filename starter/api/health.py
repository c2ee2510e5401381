"""Health of this API process, for load balancers and orchestrators (no token needed):

- ``/health/live``: the process answers (restart it only when this fails);
- ``/health/ready`` (and ``/health``, as before): Temporal and PostgreSQL answer, so requests
  can be served (send traffic only while this is 200).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from safeside.health import Liveness, Status, servers_answer, status
from starter.api.dependencies import ServicesDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Status
    temporal: Status
    postgres: Status


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
async def health(services: ServicesDep) -> JSONResponse:
    return await _readiness(services)


@router.get("/health/ready", response_model=Health, responses={503: {"model": Health}})
async def ready(services: ServicesDep) -> JSONResponse:
    return await _readiness(services)


@router.get("/health/live", response_model=Liveness)
async def live() -> Liveness:
    return Liveness()


async def _readiness(services: ServicesDep) -> JSONResponse:
    temporal, postgres = await servers_answer(services.client, services.pool)
    report = Health(
        status=status(temporal and postgres), temporal=status(temporal), postgres=status(postgres)
    )
    return JSONResponse(report.model_dump(), status_code=200 if report.status == "ok" else 503)
