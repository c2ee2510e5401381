"""Who is calling, and what the service layer lets them read: dependencies for every route.

``authenticate`` is an app-level dependency (``create_app``), so every route of every router
needs a valid bearer token, except the ``PUBLIC_PATHS`` of the permission table and the web
page's paths (``is_web_page_path``), which sign in with their own session cookie and
dependency (``starter.web.viewer``). A route then declares what it reads with one of:

- ``Depends(placement_read(View.x))`` for a read of one placement: the gate
  (``starter.services.reading.open_placement``) writes the access log (allowed or denied)
  before the request is read further, and hands the route its leave to read;
- ``Depends(view_read(View.x))`` for a read across placements or of a unit;
- ``Depends(permitted(View.x))`` for what is not about a child (the codec);
- ``starter.services.recording`` to record a command as the caller (``check_action`` first).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from safeside.tokens import InvalidToken, Principal, TokenVerifier, VerifiedToken
from starter.api.dependencies import PlacementId, ServicesDep, UnitId
from starter.services.permissions import (
    PUBLIC_PATHS,
    STAFF_ROLES,
    Denied,
    View,
    check_view,
    is_web_page_path,
)
from starter.services.reading import (
    PlacementRead,
    UnitRead,
    ViewRead,
    open_placement,
    open_unit,
    open_view,
)
from starter.services.sessions import EndedSessions


class NotAuthenticated(Exception):
    """No token, or one that cannot be trusted: 401."""


_bearer = HTTPBearer(
    auto_error=False,
    description="A token from `safeside token issue` (or, later, the identity provider).",
)


def token_verifier(request: Request) -> TokenVerifier:
    verifier: TokenVerifier = request.app.state.token_verifier
    return verifier


def ended_sessions(request: Request) -> EndedSessions:
    ended: EndedSessions = request.app.state.ended_sessions
    return ended


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    # The web page's paths sign in with its session cookie instead (starter.web.viewer).
    if request.url.path in PUBLIC_PATHS or is_web_page_path(request.url.path):
        return None
    if credentials is None:
        raise NotAuthenticated("a bearer token is required (Authorization: Bearer <token>)")
    return await staff_principal(request, credentials.credentials)


def staff_token(request: Request, token: str) -> VerifiedToken:
    """A token's every check but the database's: NotAuthenticated when it cannot be trusted,
    Denied for a role that does not sign in (partner agencies, the clock)."""
    try:
        verified = token_verifier(request).verify_token(token)
    except InvalidToken as exc:
        raise NotAuthenticated(str(exc)) from None
    if verified.principal.role not in STAFF_ROLES:
        raise Denied(f"the role {verified.principal.role.value} does not sign in to Safeside")
    return verified


async def staff_principal(request: Request, token: str) -> Principal:
    """The staff member a token names, at either door: ``staff_token``'s checks, then
    NotAuthenticated for a session ended on the server (its holder signed out)."""
    verified = staff_token(request, token)
    if await ended_sessions(request).is_ended(verified):
        raise NotAuthenticated("the token's session was ended by signing out: ask for a new token")
    return verified.principal


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


def view_read(view: View) -> Callable[[Principal, ServicesDep], Awaitable[ViewRead]]:
    """Leave to read ``view`` across placements, or Denied before the request is read."""

    async def open_(caller: Caller, services: ServicesDep) -> ViewRead:
        return open_view(services, caller, view)

    return open_


async def unit_read(unit_id: UnitId, caller: Caller, services: ServicesDep) -> UnitRead:
    """Leave to read the path's unit (its own staff only), the read (or refusal) logged."""
    return await open_unit(services, caller, unit_id)


def placement_read(
    view: View,
) -> Callable[[PlacementId, Principal, ServicesDep], Awaitable[PlacementRead]]:
    """Leave to read ``view`` of the path's placement, the read (or the refusal) logged."""

    async def open_(
        placement_id: PlacementId, caller: Caller, services: ServicesDep
    ) -> PlacementRead:
        return await open_placement(services, caller, view, placement_id)

    return open_
