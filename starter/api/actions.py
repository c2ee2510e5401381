"""POST /placements/{placement_id}/actions/{action}: one route per action of the domain's
command union (``starter.actions``), each documented with its command's own schema.

The body is the command without its actor: the actor is the caller, from their token, and the
permission table (``starter.permissions``) decides whether their role may record it."""

# No `from __future__ import annotations`: each route's body annotation must be the body
# class itself when the route is built, for FastAPI to validate and document it.
from typing import Annotated, cast

from fastapi import APIRouter, Body, FastAPI
from pydantic import BaseModel

from starter.actions import ACTIONS, Action
from starter.api.auth import Caller
from starter.api.dependencies import PlacementId, ServicesDep
from starter.api.problems import responses
from starter.recording import record_placement_action
from workflows.placement_io import RecordResult

router = APIRouter(prefix="/placements/{placement_id}/actions", tags=["actions"])


def _add_route(app_router: APIRouter, action: Action) -> None:
    body_model = action.body

    async def record(
        placement_id: PlacementId,
        body: Annotated[body_model, Body()],  # type: ignore[valid-type]
        caller: Caller,
        services: ServicesDep,
    ) -> RecordResult:
        fields = cast(BaseModel, body).model_dump()
        return await record_placement_action(services, caller, placement_id, action, fields)

    app_router.add_api_route(
        f"/{action.name}",
        record,
        methods=["POST"],
        response_model=RecordResult,
        responses=responses(401, 403, 404, 409, 422, 503),
        summary=action.summary,
        description=f"Record `{action.command_type}` on an open placement, as the caller. "
        "Refused with 403 when the caller's role may not, and with 409 and the domain's "
        "reason; nothing is written then.",
        operation_id=f"record_{action.command_type.removeprefix('record_')}",
    )


for _action in ACTIONS.values():
    _add_route(router, _action)


def include(app: FastAPI) -> None:
    app.include_router(router)
