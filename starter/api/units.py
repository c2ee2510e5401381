"""/units/{unit_id}: the unit's duties (R4 whereabouts checks, R13 house meetings, R14 building
checks, R16 acknowledging the handover) and its handover view, through the unit's workflow.
URLs carry the opaque unit id. Each duty's body is its command without the actor, who is the
caller (``starter.command_fields.UNIT_BODIES``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from starter.api.auth import unit_read
from starter.api.problems import responses
from starter.api.recording import add_record_route
from starter.command_fields import UNIT_BODIES
from starter.services.reading import UnitRead
from starter.services.recording import record_unit_action
from workflows.domain.unit.handover import UnitHandover

router = APIRouter(prefix="/units/{unit_id}", tags=["units"])

HandoverRead = Annotated[UnitRead, Depends(unit_read)]


@dataclass(frozen=True)
class UnitDuty:
    path: str
    name: str  # the route's name, which names it in the OpenAPI document
    key: str  # the command's key in the permission table and UNIT_BODIES
    description: str


DUTIES = (
    UnitDuty(
        "/checks",
        "record_check",
        "record_unit_check",
        "Record a whereabouts check (R4): every resident child seen, away with authorisation\n"
        "(where, as a reference, and until when) or not seen. A child not seen starts their\n"
        "placement's missing procedure at once. 409 with the reason when refused.",
    ),
    UnitDuty(
        "/house-meetings",
        "record_house_meeting",
        "record_house_meeting",
        "Record a house meeting (R13); while a recently arrived child lives in the unit, it must\n"
        "record that lending phones was discussed.",
    ),
    UnitDuty(
        "/building-checks",
        "record_building_check",
        "record_building_check",
        "Record a building and outside check (R14); concerns go to the Duty Manager, and one\n"
        "about a child reaches that placement as suspicious activity (R7).",
    ),
)
ACKNOWLEDGEMENT = UnitDuty(
    "/handover/acknowledgements",
    "acknowledge_handover",
    "acknowledge_handover",
    "Record that the incoming shift (the actor) acknowledged the handover.",
)


def _add_route(duty: UnitDuty) -> None:
    add_record_route(
        router,
        duty.path,
        id_name="unit_id",
        id_description="The unit's opaque id.",
        body_model=UNIT_BODIES[duty.key],
        record=lambda services, caller, unit_id, fields: record_unit_action(
            services, caller, unit_id, duty.key, fields
        ),
        name=duty.name,
        description=duty.description,
    )


# Routes in the order the OpenAPI document lists them: the duties, then the handover.
for _duty in DUTIES:
    _add_route(_duty)


@router.get("/handover", response_model=UnitHandover, responses=responses(401, 403, 404, 422, 503))
async def handover(read: HandoverRead) -> Any:
    """The handover view (R16) for each resident child, and the unit's own duties (the unit's
    staff only)."""
    return await read.handover()


_add_route(ACKNOWLEDGEMENT)
