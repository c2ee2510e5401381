"""/health: whether this API process can reach Temporal and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from starter.api.dependencies import ServicesDep

router = APIRouter(tags=["health"])

CHECK_TIMEOUT = timedelta(seconds=3)
Status = Literal["ok", "unavailable"]


class Health(BaseModel):
    status: Status
    temporal: Status
    postgres: Status


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
async def health(services: ServicesDep) -> JSONResponse:
    temporal, postgres = await asyncio.gather(
        _temporal_ok(services), _postgres_ok(services), return_exceptions=False
    )
    report = Health(
        status="ok" if temporal and postgres else "unavailable",
        temporal="ok" if temporal else "unavailable",
        postgres="ok" if postgres else "unavailable",
    )
    return JSONResponse(report.model_dump(), status_code=200 if report.status == "ok" else 503)


async def _temporal_ok(services: ServicesDep) -> bool:
    try:
        return await services.client.service_client.check_health(timeout=CHECK_TIMEOUT)
    except Exception:  # any failure to answer is the answer: unavailable
        return False


async def _postgres_ok(services: ServicesDep) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT.total_seconds()):
            return bool(await services.pool.fetchval("SELECT true"))
    except Exception:  # any failure to answer is the answer: unavailable
        return False
