"""Who is calling, and whether the permission table lets them: dependencies for every route.

``authenticate`` is an app-level dependency (``create_app``), so every route of every router
needs a valid bearer token, except the ``PUBLIC_PATHS`` of the permission table and the web
page's paths (``is_web_page_path``), which sign in with their own session cookie and
dependency (``starter.web.session``). A route then declares what it is with one of:

- ``dependencies=[Depends(permitted(View.x))]`` (or a ``caller: Caller`` parameter and
  ``check_view``) for a read that is not about one placement;
- ``Depends(placement_read(View.x))`` for a read of one placement, which also writes the
  access log (allowed or denied);
- ``starter.recording`` to record a command as the caller (``check_action`` first).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from safeside.tokens import InvalidToken, Principal, TokenVerifier
from starter.access_log import read_placement
from starter.api.dependencies import PlacementId, ServicesDep
from starter.permissions import (
    PUBLIC_PATHS,
    STAFF_ROLES,
    Denied,
    View,
    check_view,
    is_web_page_path,
)


class NotAuthenticated(Exception):
    """No token, or one that cannot be trusted: 401."""


_bearer = HTTPBearer(
    auto_error=False,
    description="A token from `safeside token issue` (or, later, the identity provider).",
)


def token_verifier(request: Request) -> TokenVerifier:
    verifier: TokenVerifier = request.app.state.token_verifier
    return verifier


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    # The web page's paths sign in with its session cookie instead (starter.web.session).
    if request.url.path in PUBLIC_PATHS or is_web_page_path(request.url.path):
        return None
    if credentials is None:
        raise NotAuthenticated("a bearer token is required (Authorization: Bearer <token>)")
    return staff_principal(request, credentials.credentials)


def staff_principal(request: Request, token: str) -> Principal:
    """The staff member a token names: NotAuthenticated when it cannot be trusted, Denied for
    a role that does not sign in (partner agencies, the clock)."""
    try:
        principal = token_verifier(request).verify(token)
    except InvalidToken as exc:
        raise NotAuthenticated(str(exc)) from None
    if principal.role not in STAFF_ROLES:
        raise Denied(f"the role {principal.role.value} does not sign in to Safeside")
    return principal


async def _caller(principal: Annotated[Principal | None, Depends(authenticate)]) -> Principal:
    if principal is None:  # a public route asked who is calling: nobody is
        raise NotAuthenticated("a bearer token is required (Authorization: Bearer <token>)")
    return principal


Caller = Annotated[Principal, Depends(_caller)]


def permitted(view: View) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(caller: Caller) -> Principal:
        check_view(caller.role, view)
        return caller

    return check


def placement_read(
    view: View,
) -> Callable[[PlacementId, Principal, ServicesDep], Awaitable[Principal]]:
    """Check ``view`` for the caller and record the read (or the refusal) in the access log."""

    async def check(placement_id: PlacementId, caller: Caller, services: ServicesDep) -> Principal:
        await read_placement(services.pool, caller, view, placement_id)
        return caller

    return check
