"""The OpenAPI document, corrected where FastAPI's cannot say what the API does: the public
paths need no token, and an escalation step's offset may be negative (a reminder before the
due time, "-P1D"), which JSON Schema's "duration" format does not allow."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from starter.services.permissions import PUBLIC_PATHS

SIGNED_DURATION = r"^-?P"


def install(app: FastAPI) -> None:
    document_as_fastapi_writes_it = app.openapi

    def document() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = document_as_fastapi_writes_it()
        for path in PUBLIC_PATHS & schema["paths"].keys():
            for operation in schema["paths"][path].values():
                operation["security"] = []
        offset = schema["components"]["schemas"]["EscalationStep"]["properties"]["offset"]
        offset.pop("format", None)
        offset["pattern"] = SIGNED_DURATION
        offset["description"] = "An ISO 8601 duration, negative before the due time."
        return schema

    app.openapi = document  # type: ignore[method-assign]
