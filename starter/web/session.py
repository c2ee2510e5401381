"""The web page's session and its CSRF tokens.

A person signs in by pasting their token (later the council's identity provider hands it
over). The token itself is the session: it is kept in an HttpOnly, SameSite=Strict cookie
(Secure when the page is served over https), verified on every request exactly as the API
verifies a bearer token (signature, issuer, audience, issue and expiry times, lifetime, staff
role, and that its session was not ended). Signing out clears the cookie and records the
token's id as ended on the server (``starter.services.sessions``), so a copy of the cookie
stops working too.

SameSite=Strict keeps the cookie off requests started by other sites. As a second line, every
form carries a CSRF token, an HMAC of the session, checked on every POST. Its key is derived
from the token signing secret, so every API process agrees on it without a new setting.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "safeside_session"
# A random value tying the sign-in form to the browser that asked for it (no session yet).
SIGN_IN_COOKIE = "safeside_sign_in"
SIGN_IN_PATH = "/sign-in"
CSRF_FIELD = "csrf_token"
_SIGN_IN_COOKIE_SECONDS = 3600


class CsrfKey:
    """Makes and checks the CSRF token of a session (or of a sign-in form)."""

    def __init__(self, signing_secret: str) -> None:
        self._key = hmac.new(
            signing_secret.encode(), b"safeside web page csrf v1", hashlib.sha256
        ).digest()

    def token_for(self, session: str) -> str:
        return hmac.new(self._key, session.encode(), hashlib.sha256).hexdigest()

    def accepts(self, session: str | None, submitted: str | None) -> bool:
        if not session or not submitted:
            return False
        return hmac.compare_digest(self.token_for(session), submitted)

    def sign_in_token(self, nonce: str) -> str:
        return self.token_for(f"sign-in:{nonce}")

    def accepts_sign_in(self, nonce: str | None, submitted: str | None) -> bool:
        return bool(nonce) and self.accepts(f"sign-in:{nonce}", submitted)


def csrf_key(request: Request) -> CsrfKey:
    key: CsrfKey = request.app.state.web_csrf
    return key


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def served_over_https(request: Request) -> bool:
    # Behind a TLS proxy, uvicorn takes the scheme from X-Forwarded-Proto when it trusts the
    # proxy (FORWARDED_ALLOW_IPS, loopback by default): the scheme the browser used.
    return request.url.scheme == "https"


def _cookie(request: Request, path: str) -> dict[str, Any]:
    """How both cookies are kept: out of scripts' reach, never sent by other sites' requests,
    over https only when the page is served so."""
    return {
        "httponly": True,
        "samesite": "strict",
        "secure": served_over_https(request),
        "path": path,
    }


def keep_session(response: Response, request: Request, token: str) -> None:
    """The session cookie: no expiry of its own (it ends with the browser), while the token's
    own expiry, or signing out, still ends it on the server's side."""
    response.set_cookie(SESSION_COOKIE, token, **_cookie(request, "/"))


def end_session(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, **_cookie(request, "/"))


def sign_in_nonce(request: Request) -> tuple[str, bool]:
    """The sign-in form's nonce from its cookie, or a new one (True: set the cookie)."""
    nonce = request.cookies.get(SIGN_IN_COOKIE)
    if nonce:
        return nonce, False
    return secrets.token_urlsafe(24), True


def keep_sign_in_nonce(response: Response, request: Request, nonce: str) -> None:
    response.set_cookie(
        SIGN_IN_COOKIE,
        nonce,
        max_age=_SIGN_IN_COOKIE_SECONDS,
        **_cookie(request, SIGN_IN_PATH),
    )


def forget_sign_in_nonce(response: Response, request: Request) -> None:
    response.delete_cookie(SIGN_IN_COOKIE, **_cookie(request, SIGN_IN_PATH))
