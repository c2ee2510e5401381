"""The app factory: the routes, the error answers and the services they use."""

from __future__ import annotations

import dataclasses

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from safeside.identity_provider import IdentityProvider
from safeside.tokens import TokenVerifier
from starter.api import (
    access_log,
    actions,
    adoption,
    codec,
    deadlines,
    evidence,
    health,
    openapi_document,
    organisation,
    placements,
    reports,
)
from starter.api.auth import authenticate
from starter.api.body_limit import MAX_BODY_BYTES, MAX_CODEC_BODY_BYTES, BodySizeLimit
from starter.api.errors import install_error_handlers
from starter.api.metrics import router as metrics_router
from starter.api.units import router as units_router
from starter.services.connection import Services
from starter.services.sessions import PostgresEndedSessions
from starter.services.spool import Spool
from starter.web import install as install_web_page

_BODY_MB, _CODEC_MB = MAX_BODY_BYTES // 2**20, MAX_CODEC_BODY_BYTES // 2**20
DESCRIPTION = f"""Durable safeguarding workflows for children at risk of trafficking.

Writes and live state go to each placement's workflow; lists and audit trails come from
PostgreSQL. URLs carry opaque ids only. Every route but the health probes and /metrics needs a
bearer token: an access token from the council's identity provider (RS256/ES256), or, for
service accounts and scripts, an HS256 token from `safeside token issue`. The web page signs
people in through the identity provider and keeps its session on the server; of the API's
routes, only the codec (for the Temporal web UI the page serves) also takes that session.
The permission table decides each action and read, answers are redacted for the caller's
role, and every read of a placement is written to the access log.
Errors: 401 without a valid token, 403 with the reason a role may not, 422 with a message per
field (the first 20), 409 with the domain's reason for a refused action, 404 for an unknown id,
413 for a body over {_BODY_MB} MB ({_CODEC_MB} MB for the codec), 503 when a server is
unreachable. While PostgreSQL alone does not answer, a placement's live state, deadlines and
handover still answer, from its workflow, to staff this API saw shortly before.
"""


def create_app(services: Services) -> FastAPI:
    # Every route of every router is authenticated (public paths aside): see starter.api.auth.
    app = FastAPI(
        title="Safeside",
        version="0.1.0",
        description=DESCRIPTION,
        dependencies=[Depends(authenticate)],
    )
    settings = services.settings
    if services.access_spool is None:
        # The API keeps reads' entries through a PostgreSQL outage in its spool, which whoever
        # serves the app drains (``starter.api.server.running_api``).
        services = dataclasses.replace(services, access_spool=Spool(settings.access_log_spool_file))
    app.state.services = services
    app.state.token_verifier = TokenVerifier.from_settings(settings)
    app.state.ended_sessions = PostgresEndedSessions(services.pool, grace=settings.outage_grace)
    # Unset, the API takes only HS256 tokens and nobody signs in to the web page.
    app.state.identity_provider = (
        IdentityProvider(settings) if settings.oidc_issuer is not None else None
    )
    # A body too large is refused before anything reads it; added before CORS, so inside it:
    # a browser still sees the 413.
    app.add_middleware(BodySizeLimit)
    # The Temporal web UI calls the codec endpoint from the browser, with the token.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=services.settings.allowed_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST"],
        # The UI sends the ID token beside the access token (Authorization-Extras).
        allow_headers=["Authorization", "Authorization-Extras", "Content-Type", "X-Namespace"],
    )
    install_error_handlers(app)
    app.include_router(placements.router)
    app.include_router(adoption.router)
    actions.include(app)
    app.include_router(deadlines.router)
    app.include_router(health.router)
    app.include_router(metrics_router)
    app.include_router(codec.router)
    app.include_router(access_log.router)
    app.include_router(units_router)
    app.include_router(organisation.router)
    app.include_router(reports.router)
    app.include_router(evidence.router)
    # The web page (starter.web): its own session cookie and routes, beside the API's.
    install_web_page(app, services)
    openapi_document.install(app)
    return app
