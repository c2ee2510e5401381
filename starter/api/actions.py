"""POST /placements/{placement_id}/actions/{action}: one route per action of the domain's
command union (``starter.command_fields``), each documented with its command's own schema.

The body is the command without its actor: the actor is the caller, from their token, and the
permission table (``starter.services.permissions``) decides whether their role may record it."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from starter.api.recording import Record, add_record_route
from starter.command_fields import ACTIONS, Action
from starter.services.recording import record_placement_action

router = APIRouter(prefix="/placements/{placement_id}/actions", tags=["actions"])


def _recorder(action: Action) -> Record:
    return lambda services, caller, placement_id, fields: record_placement_action(
        services, caller, placement_id, action, fields
    )


for _action in ACTIONS.values():
    add_record_route(
        router,
        f"/{_action.name}",
        id_name="placement_id",
        id_description="The placement's opaque id.",
        body_model=_action.body,
        record=_recorder(_action),
        name="record",
        summary=_action.summary,
        description=f"Record `{_action.command_type}` on an open placement, as the caller. "
        "Refused with 403 when the caller's role may not, and with 409 and the domain's "
        "reason; nothing is written then.",
        operation_id=f"record_{_action.command_type.removeprefix('record_')}",
    )


def include(app: FastAPI) -> None:
    app.include_router(router)
