"""Signing in through the council's identity provider (OpenID Connect), and signing out.

The authorization code flow with PKCE: ``/sign-in/start`` keeps a sign-in under way on the
server (state, nonce, PKCE verifier, the page to return to; ``WebSessions.start_sign_in``)
tied to this browser by a cookie, and sends the browser to the provider; the provider sends
it back to ``/sign-in/callback`` with a code. The callback takes the sign-in its state names
(once, and only in the browser that started it), exchanges the code with the PKCE verifier,
checks the ID token (signature by the provider's keys, issuer, audience, times, nonce), and
asks the staff directory whether the person holds the role the provider gives them. Only then
is a session opened. Every refusal is a plain message on the sign-in page and opens nothing.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from safeside.log import get_logger
from safeside.tokens import InvalidToken
from starter.api.dependencies import get_services, identity_provider
from starter.services.standings import in_directory_now
from starter.services.web_sessions import NoSignIn
from starter.web.pages import PAGE_HEADERS, PageRoute, render, see_other
from starter.web.session import (
    CALLBACK_PATH,
    CSRF_FIELD,
    SIGN_IN_COOKIE,
    SIGN_IN_PATH,
    forget_session,
    keep_session,
    keep_sign_in_browser,
    safe_return_to,
    session_cookie,
    sign_in_browser,
    web_sessions,
)
from starter.web.viewer import SignInRequired, session_viewer

router = APIRouter(route_class=PageRoute)
log = get_logger("safeside.web.sign_in")

_NOT_THIS_SIGN_IN = {
    NoSignIn.unknown: "That sign-in did not start in this browser, or has been cleared. "
    "Start again below.",
    NoSignIn.used: "That sign-in link has been used already. Start again below.",
    NoSignIn.expired: "That sign-in took too long. Start again below.",
}


def _sign_in_page(request: Request, *, problem: str | None = None, status: int = 200) -> Response:
    return render(
        request,
        "sign_in.html",
        viewer=None,
        status=status,
        problem=problem,
        provider_configured=identity_provider(request) is not None,
        sign_in_url=_start_url(safe_return_to(request.query_params.get("next"))),
        ended=request.query_params.get("ended") == "1",
        signed_out=request.query_params.get("signed_out") == "1",
    )


def _start_url(return_to: str) -> str:
    start = f"{SIGN_IN_PATH}/start"
    return start if return_to == "/" else f"{start}?{urlencode({'next': return_to})}"


def _redirect_uri(request: Request) -> str:
    public = get_services(request).settings.public_url
    base = public.rstrip("/") if public else str(request.base_url).rstrip("/")
    return f"{base}{CALLBACK_PATH}"


@router.get(SIGN_IN_PATH)
async def sign_in_page(request: Request) -> Response:
    return _sign_in_page(request)


@router.get(f"{SIGN_IN_PATH}/start")
async def start_sign_in(request: Request) -> Response:
    """Off to the identity provider, with this sign-in kept here until it comes back."""
    provider = identity_provider(request)
    if provider is None:
        return _sign_in_page(request, status=503)
    browser, new = sign_in_browser(request)
    started = await provider.start_sign_in(_redirect_uri(request))
    await web_sessions(request).start_sign_in(
        browser=browser,
        state=started.state,
        nonce=started.nonce,
        code_verifier=started.code_verifier,
        return_to=safe_return_to(request.query_params.get("next")),
    )
    response = RedirectResponse(started.url, status_code=303, headers=PAGE_HEADERS)
    if new:
        keep_sign_in_browser(response, request, browser)
    return response


@router.get(CALLBACK_PATH)
async def sign_in_callback(request: Request) -> Response:
    provider = identity_provider(request)
    if provider is None:
        return _sign_in_page(request, status=503)
    params = request.query_params
    if params.get("error"):
        # The person chose not to sign in, or the provider would not: say so, plainly.
        return _sign_in_page(
            request, problem="The council's sign-in service did not sign you in.", status=401
        )
    state, code = params.get("state"), params.get("code")
    browser = request.cookies.get(SIGN_IN_COOKIE)
    if not state or not code or not browser:
        return _sign_in_page(request, problem=_NOT_THIS_SIGN_IN[NoSignIn.unknown], status=400)
    attempt = await web_sessions(request).take_sign_in(browser=browser, state=state)
    if isinstance(attempt, NoSignIn):
        log.info("sign-in answer refused", why=attempt.value)
        return _sign_in_page(request, problem=_NOT_THIS_SIGN_IN[attempt], status=400)
    try:
        tokens = await provider.exchange_code(
            code=code, redirect_uri=_redirect_uri(request), code_verifier=attempt.code_verifier
        )
        principal = await provider.verify_id_token(tokens.id_token, nonce=attempt.nonce)
    except InvalidToken as exc:
        log.info("sign-in refused", why=str(exc))
        return _sign_in_page(request, problem=f"You could not be signed in: {exc}.", status=401)
    if not await in_directory_now(get_services(request).pool, principal):
        log.info("sign-in refused", why="role not in the staff directory", role=principal.role)
        return _sign_in_page(
            request,
            problem=f"The council's sign-in service gives you the role "
            f"{principal.role.value.replace('_', ' ')}, which the staff directory does not "
            "give you here. Ask the administrator to add it.",
            status=403,
        )
    response = see_other(attempt.return_to)
    keep_session(response, request, await web_sessions(request).open(principal))
    log.info("signed in", role=principal.role)
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    """Ends the session on the server as well as in this browser, so a copy of the cookie is
    refused from now on. Checked like every form, so another site cannot sign anyone out."""
    cookie = session_cookie(request)
    if cookie is not None:
        submitted = (await request.form()).get(CSRF_FIELD)
        try:
            viewer = await session_viewer(request)
        except SignInRequired:
            viewer = None  # a session over already: nothing left to end
        if viewer is not None:
            if not viewer.sent(submitted):
                return see_other("/")
            await web_sessions(request).end(cookie)
    response = see_other(f"{SIGN_IN_PATH}?signed_out=1")
    forget_session(response, request)
    return response
