"""Who is calling, and what the service layer lets them read: dependencies for every route.

``authenticate`` is an app-level dependency (``create_app``), so every route of every router
needs a valid bearer token, except the ``PUBLIC_PATHS`` of the permission table and the web
page's paths (``is_web_page_path``), which sign in with their own session cookie and
dependency (``starter.web.viewer``); the codec alone also takes that session, for the Temporal
web UI the page serves. A bearer token is one of two kinds:

- an access token from the council's identity provider (RS256/ES256, checked against its
  published keys by ``safeside.identity_provider``), for people, whose role the staff
  directory must give them;
- an HS256 token from ``safeside token issue`` (``safeside.tokens``), for service accounts
  and scripts, which signing out (``starter.services.sessions``) can end.

A route then declares what it reads with one of:

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

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from safeside.tokens import ALGORITHM, InvalidToken, Principal, TokenVerifier, VerifiedToken
from starter.api.dependencies import (
    PlacementId,
    ServicesDep,
    UnitId,
    get_services,
    identity_provider,
)
from starter.services.permissions import (
    PUBLIC_PATHS,
    SESSION_API_PREFIX,
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
from starter.services.standings import in_directory
from starter.web.session import session_cookie, web_sessions


class NotAuthenticated(Exception):
    """No token, or one that cannot be trusted: 401."""


_bearer = HTTPBearer(
    auto_error=False,
    description="An access token from the council's identity provider, or (service accounts "
    "and scripts) a token from `safeside token issue`.",
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
        cookie = session_cookie(request)
        if cookie is not None and request.url.path.startswith(SESSION_API_PREFIX):
            session = await web_sessions(request).find(cookie)
            if session is None:
                raise NotAuthenticated("your session has ended: sign in to the web page again")
            return session.principal
        raise NotAuthenticated("a bearer token is required (Authorization: Bearer <token>)")
    return await staff_principal(request, credentials.credentials)


async def staff_principal(request: Request, token: str) -> Principal:
    """The staff member a bearer token names: NotAuthenticated when it cannot be trusted (or
    its session was ended by signing out), Denied for a role that does not sign in (partner
    agencies, the clock) or that the staff directory does not give the person."""
    provider = identity_provider(request)
    if provider is not None and _algorithm(token) != ALGORITHM:
        try:
            principal = await provider.verify_access_token(token)
        except InvalidToken as exc:
            raise NotAuthenticated(str(exc)) from None
        _signs_in(principal)
        if not await in_directory(get_services(request), principal):
            raise Denied(
                f"the staff directory does not give you the role {principal.role.value}: ask "
                "the administrator"
            )
        return principal
    verified = service_token(request, token)
    if await ended_sessions(request).is_ended(verified):
        raise NotAuthenticated("the token's session was ended by signing out: ask for a new token")
    return verified.principal


def service_token(request: Request, token: str) -> VerifiedToken:
    """An HS256 token's every check but the database's (``staff_principal``)."""
    try:
        verified = token_verifier(request).verify_token(token)
    except InvalidToken as exc:
        raise NotAuthenticated(str(exc)) from None
    _signs_in(verified.principal)
    return verified


def _signs_in(principal: Principal) -> None:
    if principal.role not in STAFF_ROLES:
        raise Denied(f"the role {principal.role.value} does not sign in to Safeside")


def _algorithm(token: str) -> str | None:
    try:
        algorithm = jwt.get_unverified_header(token).get("alg")
    except jwt.PyJWTError:
        return None
    return algorithm if isinstance(algorithm, str) else None


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
