"""The web page for managers and residential staff, served by the API's own app.

Server-rendered (Jinja2) with htmx (vendored in ``static/``) for the parts that answer in
place; every page works without script too. Pages sign people in through the council's
identity provider (``routes.sign_in``), then know them by a session kept on the server
(``session``), never the API's bearer header, and go through the same service layer as the
API (``starter.services``): its gate for every read, its one path to record.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from starter.services.connection import Services
from starter.services.web_sessions import WebSessions
from starter.web.pages import STATIC
from starter.web.routes import (
    adopt,
    escalations,
    evidence,
    philomena,
    placement,
    placement_actions,
    placement_list,
    quality_review,
    sign_in,
    start,
    temporal_ui,
    today,
    unit,
)

# How often the Today page fetches its live part again.
TODAY_REFRESH_SECONDS = 30
ROUTERS = (sign_in.router, today.router, escalations.router, placement_list.router,
           start.router, adopt.router, placement.router, placement_actions.router, unit.router,
           evidence.router, quality_review.router, philomena.router,
           temporal_ui.router)  # fmt: skip


def install(app: FastAPI, services: Services) -> None:
    """Add the pages and their static files to the API's app."""
    app.state.web_sessions = WebSessions.from_settings(services.pool, services.settings)
    app.state.web_refresh_seconds = TODAY_REFRESH_SECONDS
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router, include_in_schema=False)
