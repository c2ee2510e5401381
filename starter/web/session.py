"""The web page's cookies: the session (``starter.services.web_sessions`` keeps what it is
worth on the server) and the sign-in under way.

Both cookies hold only random values, HttpOnly (no script reads them), Secure when the page is
served over https, and SameSite=Lax: the identity provider sends the browser back here with a
top-level navigation from its own site, which a Strict cookie would not follow. Lax keeps the
cookies off every other site's forms; as a second line, every form carries the session's own
random CSRF token (kept with the session, derived from no secret), checked on every POST.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from starter.services.web_sessions import WebSessions, new_secret

SESSION_COOKIE = "safeside_session"
# Ties a sign-in under way to the browser that started it (``WebSessions.take_sign_in``).
SIGN_IN_COOKIE = "safeside_sign_in"
SIGN_IN_PATH = "/sign-in"
CALLBACK_PATH = "/sign-in/callback"
CSRF_FIELD = "csrf_token"
_SIGN_IN_COOKIE_SECONDS = 3600


def web_sessions(request: Request) -> WebSessions:
    sessions: WebSessions = request.app.state.web_sessions
    return sessions


def session_cookie(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def served_over_https(request: Request) -> bool:
    # Behind a TLS proxy, uvicorn takes the scheme from X-Forwarded-Proto when it trusts the
    # proxy (FORWARDED_ALLOW_IPS, loopback by default): the scheme the browser used.
    return request.url.scheme == "https"


def _cookie(request: Request, path: str) -> dict[str, Any]:
    return {
        "httponly": True,
        "samesite": "lax",
        "secure": served_over_https(request),
        "path": path,
    }


def keep_session(response: Response, request: Request, value: str) -> None:
    """The session cookie: no expiry of its own (it ends with the browser), while the server
    ends the session itself (idle, absolute limit, signing out)."""
    response.set_cookie(SESSION_COOKIE, value, **_cookie(request, "/"))


def forget_session(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, **_cookie(request, "/"))


def sign_in_browser(request: Request) -> tuple[str, bool]:
    """This browser's sign-in key from its cookie, or a new one (True: set the cookie)."""
    key = request.cookies.get(SIGN_IN_COOKIE)
    if key:
        return key, False
    return new_secret(), True


def keep_sign_in_browser(response: Response, request: Request, key: str) -> None:
    response.set_cookie(
        SIGN_IN_COOKIE, key, max_age=_SIGN_IN_COOKIE_SECONDS, **_cookie(request, SIGN_IN_PATH)
    )


def safe_return_to(value: str | None) -> str:
    """A page of this site to go back to after signing in, or Today: never another site (an
    absolute URL, ``//host``, a backslash trick or a control character)."""
    if (
        not value
        or not value.startswith("/")
        or value.startswith(("//", "/\\"))
        or any(ch == "\\" or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value)
        or value.startswith(SIGN_IN_PATH)
        or len(value) > 2000
    ):
        return "/"
    return value
