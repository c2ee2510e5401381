"""A browser signing in to the web page through the real development identity provider:
the app over ASGI (cookies kept, redirects shown, not followed), the provider over HTTP. Each
step is its own method, so a test can tamper with one (a changed nonce, a replayed answer, a
callback in another browser)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx

from starter.web.session import SESSION_COOKIE


@dataclass
class OidcBrowser:
    app: httpx.AsyncClient
    provider: httpx.AsyncClient

    async def start(self, next_page: str | None = None) -> str:
        """Press "Sign in": the provider's authorization URL the app sends the browser to."""
        query = f"?{urlencode({'next': next_page})}" if next_page is not None else ""
        answer = await self.app.get(f"/sign-in/start{query}")
        assert answer.status_code == 303, answer.text
        return answer.headers["location"]

    async def authorize(self, authorization_url: str, sub: str) -> str:
        """Sign in at the provider's login form as ``sub``: the callback URL it sends back."""
        answer = await self.provider.post(authorization_url, data={"sub": sub})
        assert answer.status_code in (302, 303), answer.text
        return answer.headers["location"]

    async def callback(self, callback_url: str) -> httpx.Response:
        parts = urlsplit(callback_url)
        return await self.app.get(f"{parts.path}?{parts.query}")

    async def sign_in(self, sub: str, next_page: str | None = None) -> httpx.Response:
        return await self.callback(await self.authorize(await self.start(next_page), sub))

    @property
    def session(self) -> str | None:
        return self.app.cookies.get(SESSION_COOKIE)


def with_query(url: str, **changes: str) -> str:
    """``url`` with some of its query parameters changed."""
    parts = urlsplit(url)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    return urlunsplit(parts._replace(query=urlencode(query | changes)))
