"""From the project's errors to HTTP answers: 422 per wrong field, 409 for a refusal (and a
message per field when the domain refused the command's own fields), 404 for an unknown id,
503 when a server cannot be reached. Nothing a client sends ends in a 500.

Messages never echo a submitted value (FastAPI's default 422 does, in ``input``): a value may
be personal, and answers end up in logs and browser histories.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from temporalio.service import RPCError

from safeside.codec import PayloadTampered, UnknownEncryptionKey
from safeside.db import UNREACHABLE
from safeside.errors import ServiceUnavailable
from safeside.log import get_logger, server_unreachable
from starter.api.auth import NotAuthenticated
from starter.api.codec import NotBase64
from starter.api.dependencies import get_services
from starter.api.idempotency import IdempotencyKeyInUse, IdempotencyKeyReused
from starter.api.problems import FieldProblem, InvalidRequest, Problem, Refused
from starter.services.lists import BadCursor
from starter.services.organisation import OrganisationRefused
from starter.services.permissions import Denied
from starter.services.placements import PlacementAlreadyOpen, PlacementNotFound, StartRefused
from starter.services.units import UnitNotFound
from starter.services.workflow_calls import ActionRefused
from workflows.domain.errors import DomainError, FieldsRefused

log = get_logger(__name__)

# Where a request value came from is said by the route's documentation, not in each message.
_LOCATIONS = {"body", "query", "path", "header"}


def problem(status: int, detail: str) -> JSONResponse:
    return JSONResponse(Problem(detail=detail).model_dump(), status_code=status)


# An answer lists this many problems at most, each cut short: a body of a million unknown
# keys would otherwise get an answer larger than itself, naming every key.
MAX_PROBLEMS_LISTED = 20
MAX_FIELD_CHARS = 120
MAX_MESSAGE_CHARS = 300


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def invalid(problems: list[FieldProblem]) -> JSONResponse:
    count = len(problems)
    detail = f"the request has {count} problem{'s' if count != 1 else ''}"
    if count > MAX_PROBLEMS_LISTED:
        detail += f" (the first {MAX_PROBLEMS_LISTED} listed)"
    listed = [
        FieldProblem(
            field=_cut(p.field, MAX_FIELD_CHARS), message=_cut(p.message, MAX_MESSAGE_CHARS)
        )
        for p in problems[:MAX_PROBLEMS_LISTED]
    ]
    body = InvalidRequest(detail=detail, errors=listed)
    return JSONResponse(body.model_dump(), status_code=422)


def field_name(loc: tuple[int | str, ...] | list[int | str]) -> str:
    parts = list(loc)
    if len(parts) > 1 and parts[0] in _LOCATIONS:
        parts = parts[1:]
    return ".".join(str(part) for part in parts)


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return invalid(
        [FieldProblem(field=field_name(e["loc"]), message=e["msg"]) for e in exc.errors()]
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    # FastAPI's one 400: a body that is not JSON (not UTF-8, or cut short).
    if exc.status_code == 400:
        return invalid([FieldProblem(field="body", message="the body must be JSON, in UTF-8")])
    return await http_exception_handler(request, exc)


async def _organisation_refused(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OrganisationRefused)
    return invalid([FieldProblem(field=exc.field, message=str(exc))])


async def _start_refused(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StartRefused)
    return invalid([FieldProblem(field=f, message=m) for f, m in exc.problems.items()])


async def _bad_cursor(_: Request, exc: Exception) -> JSONResponse:
    return invalid([FieldProblem(field="after", message=str(exc))])


async def _not_authenticated(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        Problem(detail=str(exc)).model_dump(),
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


async def _denied(request: Request, exc: Exception) -> JSONResponse:
    log.info("request denied", path=request.url.path)
    return problem(403, str(exc))


async def _not_base64(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NotBase64)
    return invalid([exc.problem])


async def _undecodable(_: Request, exc: Exception) -> JSONResponse:
    return invalid([FieldProblem(field="payloads", message=str(exc))])


async def _not_found(_: Request, exc: Exception) -> JSONResponse:
    return problem(404, str(exc))


async def _refused(_: Request, exc: Exception) -> JSONResponse:
    fields = exc.problems if isinstance(exc, ActionRefused | FieldsRefused) else ()
    body = Refused(
        detail=str(exc),
        errors=[FieldProblem(field=f, message=m) for f, m in fields] if fields else None,
    )
    return JSONResponse(body.model_dump(exclude_none=True), status_code=409)


async def _key_reused(_: Request, exc: Exception) -> JSONResponse:
    return invalid([FieldProblem(field="Idempotency-Key", message=str(exc))])


async def _unavailable(_: Request, exc: Exception) -> JSONResponse:
    return problem(503, str(exc))


async def _database_unreachable(request: Request, exc: Exception) -> JSONResponse:
    said = "PostgreSQL did not answer a request"
    server_unreachable(log, "PostgreSQL", said, path=request.url.path, error=type(exc).__name__)
    return problem(
        503,
        f"PostgreSQL did not answer ({type(exc).__name__}): start the stack with `make run` "
        "or check SAFESIDE_DATABASE_URL; meanwhile a placement's live state, deadlines and "
        "handover still answer, from its workflow, to staff this API has seen in the last "
        f"{get_services(request).settings.outage_grace_minutes:g} minutes",
    )


async def _temporal_unreachable(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RPCError)
    said = "the Temporal server did not answer a request"
    server_unreachable(log, "Temporal", said, path=request.url.path, status=exc.status.name)
    return problem(
        503,
        f"the Temporal server did not answer ({exc.status.name}): start the stack with "
        "`make run` or check SAFESIDE_TEMPORAL_ADDRESS",
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(NotAuthenticated, _not_authenticated)
    app.add_exception_handler(Denied, _denied)
    app.add_exception_handler(OrganisationRefused, _organisation_refused)
    app.add_exception_handler(StartRefused, _start_refused)
    app.add_exception_handler(NotBase64, _not_base64)
    for undecodable in (UnknownEncryptionKey, PayloadTampered):
        app.add_exception_handler(undecodable, _undecodable)
    app.add_exception_handler(BadCursor, _bad_cursor)
    app.add_exception_handler(IdempotencyKeyReused, _key_reused)
    for unknown in (PlacementNotFound, UnitNotFound):
        app.add_exception_handler(unknown, _not_found)
    for refusal in (ActionRefused, DomainError, PlacementAlreadyOpen, IdempotencyKeyInUse):
        app.add_exception_handler(refusal, _refused)
    app.add_exception_handler(ServiceUnavailable, _unavailable)
    for lost in UNREACHABLE:
        app.add_exception_handler(lost, _database_unreachable)
    app.add_exception_handler(RPCError, _temporal_unreachable)
