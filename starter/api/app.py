"""The app factory: the routes, the error answers and the services they use."""

from __future__ import annotations

from fastapi import FastAPI

from starter.api import actions, deadlines, health, placements
from starter.api.errors import install_error_handlers
from starter.services import Services

DESCRIPTION = """Durable safeguarding workflows for children at risk of trafficking.

Writes and live state go to each placement's workflow; lists and audit trails come from
PostgreSQL. URLs carry opaque ids only. Errors: 422 with a message per field, 409 with the
domain's reason for a refused action, 404 for an unknown id, 503 when a server is unreachable.
"""


def create_app(services: Services) -> FastAPI:
    app = FastAPI(title="Safeside", version="0.1.0", description=DESCRIPTION)
    app.state.services = services
    install_error_handlers(app)
    app.include_router(placements.router)
    actions.include(app)
    app.include_router(deadlines.router)
    app.include_router(health.router)
    return app
