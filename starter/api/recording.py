"""The routes that record a command as the caller: one builder for a placement's actions
(``starter.api.actions``) and a unit's duties (``starter.api.units``).

The body is the command without its actor (``starter.command_fields``): the actor is the
caller, from their token, and the service layer (``starter.services.recording``) checks their
role, then records through the workflow."""

# No `from __future__ import annotations`: each route's body annotation must be the body
# class itself when the route is built, for FastAPI to validate and document it.
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any, cast

from fastapi import APIRouter, Body, Path
from pydantic import BaseModel

from safeside.contracts.workflows import RecordResult
from safeside.tokens import Principal
from starter.api.auth import Caller
from starter.api.dependencies import ServicesDep
from starter.api.problems import responses
from starter.services.connection import Services
from workflows.domain.common import OPAQUE_ID_PATTERN

# Records the body's fields on the stream with this id, as the caller.
Record = Callable[[Services, Principal, str, Mapping[str, Any]], Awaitable[RecordResult]]


def add_record_route(
    router: APIRouter,
    path: str,
    *,
    id_name: str,
    id_description: str,
    body_model: type[BaseModel],
    record: Record,
    **documentation: Any,
) -> None:
    """A POST route at ``path`` (whose ``{id_name}`` is the stream's opaque id) taking
    ``body_model`` and answering what ``record`` wrote; ``documentation`` for OpenAPI."""
    StreamId = Annotated[
        str, Path(alias=id_name, pattern=OPAQUE_ID_PATTERN, description=id_description)
    ]

    async def record_route(
        stream_id: StreamId,
        body: Annotated[body_model, Body()],  # type: ignore[valid-type]
        caller: Caller,
        services: ServicesDep,
    ) -> RecordResult:
        return await record(services, caller, stream_id, cast(BaseModel, body).model_dump())

    router.add_api_route(
        path,
        record_route,
        methods=["POST"],
        response_model=RecordResult,
        responses=responses(401, 403, 404, 409, 413, 422, 503),
        **documentation,
    )
