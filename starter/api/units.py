"""/units/{unit_id}: the unit's duties (R4 whereabouts checks, R13 house meetings, R14 building
checks) and its handover (R16), through the unit's workflow. URLs carry the opaque unit id."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, cast

from fastapi import APIRouter, Body, Depends, HTTPException, Path
from pydantic import BaseModel

from starter.actions import without_actor
from starter.api.auth import Caller, permitted
from starter.api.dependencies import ServicesDep
from starter.api.problems import responses
from starter.permissions import View
from starter.recording import record_unit_action
from starter.redaction import redacted_answer
from starter.units import UnitNotFound, unit_handover
from workflows.domain.common import OPAQUE_ID_PATTERN
from workflows.domain.unit.commands import (
    AcknowledgeHandover,
    RecordBuildingCheck,
    RecordHouseMeeting,
    RecordUnitCheck,
)
from workflows.domain.unit.handover import UnitHandover
from workflows.unit_io import UnitRecordResult

router = APIRouter(prefix="/units/{unit_id}", tags=["units"])

UnitId = Annotated[str, Path(pattern=OPAQUE_ID_PATTERN, description="The unit's opaque id.")]
WRITE_ANSWERS = responses(401, 403, 404, 409, 422, 503)
# Bodies are the commands without their actor: the actor is the caller, from their token.
CheckBody = without_actor(RecordUnitCheck)
HouseMeetingBody = without_actor(RecordHouseMeeting)
BuildingCheckBody = without_actor(RecordBuildingCheck)
AcknowledgementBody = without_actor(AcknowledgeHandover)


@asynccontextmanager
async def _known_unit() -> AsyncIterator[None]:
    # 404 in the app's problem shape ({"detail": ...}); refusals and outages are mapped by the
    # app's own handlers (409, 503).
    try:
        yield
    except UnitNotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None


async def _record(
    services: ServicesDep, unit_id: str, caller: Caller, key: str, body: Any
) -> UnitRecordResult:
    fields = cast(BaseModel, body).model_dump()
    async with _known_unit():
        return await record_unit_action(services, caller, unit_id, key, fields)


@router.post("/checks", response_model=UnitRecordResult, responses=WRITE_ANSWERS)
async def record_check(
    unit_id: UnitId,
    body: Annotated[CheckBody, Body()],  # type: ignore[valid-type]
    caller: Caller,
    services: ServicesDep,
) -> UnitRecordResult:
    """Record a whereabouts check (R4): every resident child seen, away with authorisation
    (where, as a reference, and until when) or not seen. A child not seen starts their
    placement's missing procedure at once. 409 with the reason when refused."""
    return await _record(services, unit_id, caller, "record_unit_check", body)


@router.post("/house-meetings", response_model=UnitRecordResult, responses=WRITE_ANSWERS)
async def record_house_meeting(
    unit_id: UnitId,
    body: Annotated[HouseMeetingBody, Body()],  # type: ignore[valid-type]
    caller: Caller,
    services: ServicesDep,
) -> UnitRecordResult:
    """Record a house meeting (R13); while a recently arrived child lives in the unit, it must
    record that lending phones was discussed."""
    return await _record(services, unit_id, caller, "record_house_meeting", body)


@router.post("/building-checks", response_model=UnitRecordResult, responses=WRITE_ANSWERS)
async def record_building_check(
    unit_id: UnitId,
    body: Annotated[BuildingCheckBody, Body()],  # type: ignore[valid-type]
    caller: Caller,
    services: ServicesDep,
) -> UnitRecordResult:
    """Record a building and outside check (R14); concerns go to the Duty Manager, and one
    about a child reaches that placement as suspicious activity (R7)."""
    return await _record(services, unit_id, caller, "record_building_check", body)


@router.get("/handover", response_model=UnitHandover, responses=responses(401, 403, 404, 422, 503))
async def handover(
    unit_id: UnitId,
    services: ServicesDep,
    caller: Annotated[Any, Depends(permitted(View.unit_handover))],
) -> Any:
    """The handover view (R16) for each resident child, and the unit's own duties (the unit's
    staff only)."""
    async with _known_unit():
        answer = await unit_handover(services.client, unit_id)
    return redacted_answer(caller.role, answer)


@router.post("/handover/acknowledgements", response_model=UnitRecordResult, responses=WRITE_ANSWERS)
async def acknowledge_handover(
    unit_id: UnitId,
    body: Annotated[AcknowledgementBody, Body()],  # type: ignore[valid-type]
    caller: Caller,
    services: ServicesDep,
) -> UnitRecordResult:
    """Record that the incoming shift (the actor) acknowledged the handover."""
    return await _record(services, unit_id, caller, "acknowledge_handover", body)
