"""What a route needs, injected: the process's services (Temporal client, PostgreSQL pool,
settings, policy), opened once by whoever serves the app and handed to ``create_app``; and
the council's identity provider when one is configured."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from safeside.identity_provider import IdentityProvider
from starter.services.connection import Services
from workflows.domain.common import OPAQUE_ID_PATTERN


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]

# Only opaque ids travel in URLs: the pattern leaves no room for a name or an address.
PlacementId = Annotated[
    str, Path(pattern=OPAQUE_ID_PATTERN, description="The placement's opaque id.")
]
UnitId = Annotated[str, Path(pattern=OPAQUE_ID_PATTERN, description="The unit's opaque id.")]


def identity_provider(request: Request) -> IdentityProvider | None:
    """The council's identity provider, or None when none is configured (``create_app``)."""
    provider: IdentityProvider | None = request.app.state.identity_provider
    return provider
