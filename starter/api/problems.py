"""The shapes of error answers, for the OpenAPI document and the handlers that send them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class Problem(BaseModel):
    detail: str


class FieldProblem(BaseModel):
    field: str
    message: str


class InvalidRequest(BaseModel):
    detail: str
    errors: list[FieldProblem]


class Refused(BaseModel):
    """The domain's reason; when it refused the command's own fields, each at its field too
    (the field named as in the request body), all at once."""

    detail: str
    errors: list[FieldProblem] | None = None


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error answers a route can give."""
    described: dict[int, tuple[type[BaseModel], str]] = {
        401: (Problem, "No bearer token, or one that cannot be trusted."),
        403: (Problem, "The caller's role may not do this: the permission table's reason."),
        404: (Problem, "No placement has this id."),
        409: (
            Refused,
            "Refused: the domain's reason, or the placement is already open; a message per "
            "refused field in `errors` when the domain refused the body's own fields.",
        ),
        413: (Problem, "The request body is too large (starter.api.body_limit)."),
        422: (InvalidRequest, "A message per wrong field (the first 20)."),
        503: (Problem, "Temporal or PostgreSQL cannot be reached, or no worker answered."),
    }
    return {
        code: {"model": described[code][0], "description": described[code][1]} for code in codes
    }


# A write with a body, about no placement named in its path, that the domain may refuse.
REFUSABLE_WRITE_ANSWERS = responses(401, 403, 409, 413, 422, 503)
