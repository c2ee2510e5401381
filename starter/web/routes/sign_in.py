"""Signing in (pasting a token, until the council's identity provider hands it over) and out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from safeside.tokens import VerifiedToken
from starter.api.auth import NotAuthenticated, ended_sessions, staff_principal, staff_token
from starter.services.permissions import Denied
from starter.web.pages import PageRoute, render, see_other
from starter.web.session import (
    CSRF_FIELD,
    SIGN_IN_COOKIE,
    SIGN_IN_PATH,
    csrf_key,
    end_session,
    forget_sign_in_nonce,
    keep_session,
    keep_sign_in_nonce,
    session_token,
    sign_in_nonce,
)

router = APIRouter(route_class=PageRoute)

TOKEN_FIELD = "token"


def _sign_in_page(request: Request, *, problem: str | None = None, status: int = 200) -> Response:
    nonce, new = sign_in_nonce(request)
    response = render(
        request,
        "sign_in.html",
        viewer=None,
        status=status,
        sign_in_csrf=csrf_key(request).sign_in_token(nonce),
        problem=problem,
        ended=request.query_params.get("ended") == "1",
        signed_out=request.query_params.get("signed_out") == "1",
    )
    if new:
        keep_sign_in_nonce(response, request, nonce)
    return response


@router.get(SIGN_IN_PATH)
async def sign_in_page(request: Request) -> Response:
    return _sign_in_page(request)


@router.post(SIGN_IN_PATH)
async def sign_in(request: Request) -> Response:
    form = await request.form()
    submitted, pasted = form.get(CSRF_FIELD), form.get(TOKEN_FIELD)
    nonce = request.cookies.get(SIGN_IN_COOKIE)
    if not csrf_key(request).accepts_sign_in(
        nonce, submitted if isinstance(submitted, str) else None
    ):
        return _sign_in_page(
            request,
            problem="The sign-in form had expired. Paste your token again.",
            status=403,
        )
    token = pasted.strip().removeprefix("Bearer ").strip() if isinstance(pasted, str) else ""
    if not token:
        return _sign_in_page(request, problem="Paste your sign-in token.", status=422)
    try:
        await staff_principal(request, token)
    except (NotAuthenticated, Denied) as exc:
        return _sign_in_page(request, problem=f"That token cannot be used: {exc}.", status=401)
    response = see_other("/")
    keep_session(response, request, token)
    forget_sign_in_nonce(response, request)
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    """Ends the session on the server as well as in this browser, so a copy of the cookie (or
    the token it holds) is refused from now on. Checked like every form, so another site
    cannot sign anyone out."""
    form = await request.form()
    submitted = form.get(CSRF_FIELD)
    token = session_token(request)
    if token is not None:
        if not csrf_key(request).accepts(token, submitted if isinstance(submitted, str) else None):
            return see_other("/")
        session = _session_to_end(request, token)
        if session is not None:
            await ended_sessions(request).end(session)
    response = see_other(f"{SIGN_IN_PATH}?signed_out=1")
    end_session(response, request)
    return response


def _session_to_end(request: Request, token: str) -> VerifiedToken | None:
    """The session a cookie holds, or None for a token every check refuses already (expired,
    forged, a role that does not sign in): there is nothing left to end."""
    try:
        return staff_token(request, token)
    except (NotAuthenticated, Denied):
        return None
