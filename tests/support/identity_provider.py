"""The development identity provider for tests, and a client's side of its code flow.

``identity_provider`` is one provider process per test session (it starts in about a second,
and each test signs in as whom it likes: a demo staff member, or a user it adds with
``add_user``). It is the one ``safeside dev`` runs (``safeside.embedded.identity_provider``),
with the development organisation's demo staff. A test that rotates its signing key leaves
the new key for later tests: every client must find keys by ``kid`` anyway.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
import pytest_asyncio

from safeside.embedded.identity_provider import EmbeddedIdentityProvider
from safeside.embedded.processes import free_port
from starter.cli.organisation_seed import DEV_ORGANISATION, provider_users

# Any redirect address will do: the provider sends the browser there with the code, and the
# tests read the code from that address without following it.
REDIRECT_URI = "http://127.0.0.1:9/callback"
CLIENT_ID = "safeside-test"


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def identity_provider(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[EmbeddedIdentityProvider]:
    provider = EmbeddedIdentityProvider(
        tmp_path_factory.mktemp("identity-provider"),
        free_port(),
        users=provider_users(DEV_ORGANISATION),
    )
    await provider.start()
    yield provider
    await provider.stop()


@dataclass(frozen=True)
class Tokens:
    id_token: str
    access_token: str
    answer: dict[str, Any]


@dataclass(frozen=True)
class Authorization:
    """One authorization request, as a client makes it (PKCE, state and nonce)."""

    url: str
    params: dict[str, str]
    code_verifier: str

    @classmethod
    def new(cls, issuer: str, *, client_id: str = CLIENT_ID) -> Authorization:
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        params = {
            "client_id": client_id,
            "response_type": "code",
            "redirect_uri": REDIRECT_URI,
            "scope": "openid",
            "state": secrets.token_urlsafe(16),
            "nonce": secrets.token_urlsafe(16),
            "code_challenge": challenge.rstrip(b"=").decode(),
            "code_challenge_method": "S256",
        }
        return cls(url=f"{issuer}/oauth2/authorize", params=params, code_verifier=verifier)


async def sign_in_code(client: httpx.AsyncClient, request: Authorization, sub: str) -> str:
    """Submit the provider's login form as ``sub``: the code it sends the client back with."""
    answer = await client.post(request.url, params=request.params, data={"sub": sub})
    assert answer.status_code == 302, answer.text
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["state"] == [request.params["state"]]
    return query["code"][0]


async def exchange_code(
    client: httpx.AsyncClient, issuer: str, request: Authorization, code: str
) -> httpx.Response:
    return await client.post(
        f"{issuer}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": request.params["client_id"],
            "client_secret": "any secret will do",
            "code_verifier": request.code_verifier,
        },
    )


async def sign_in(
    provider: EmbeddedIdentityProvider, sub: str, *, client_id: str = CLIENT_ID
) -> tuple[Authorization, Tokens]:
    """The whole code flow as ``sub``: the request made, and the tokens it ended with."""
    request = Authorization.new(provider.issuer, client_id=client_id)
    async with httpx.AsyncClient() as client:
        code = await sign_in_code(client, request, sub)
        answer = await exchange_code(client, provider.issuer, request, code)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return request, Tokens(body["id_token"], body["access_token"], body)


async def published_keys(provider: EmbeddedIdentityProvider) -> jwt.PyJWKSet:
    async with httpx.AsyncClient() as client:
        answer = await client.get(f"{provider.issuer}/jwks")
    answer.raise_for_status()
    return jwt.PyJWKSet.from_dict(answer.json())


def verified(token: str, keys: jwt.PyJWKSet, *, issuer: str, audience: str) -> dict[str, Any]:
    """The token's claims, once its signature (by the key its ``kid`` names), issuer,
    audience and times check; PyJWT's errors otherwise (KeyError: no key of that ``kid``)."""
    kid = jwt.get_unverified_header(token)["kid"]
    claims: dict[str, Any] = jwt.decode(
        token, keys[kid], algorithms=["RS256"], audience=audience, issuer=issuer
    )
    return claims


async def provider_user(provider: EmbeddedIdentityProvider, staff_ref: str, role: str) -> str:
    """The provider's user for ``staff_ref`` signing in as ``role`` (one user a role, as the
    demo staff are), made if need be: its ``sub``, to sign in with."""
    sub = f"{staff_ref}-as-{role.replace('_', '-')}"
    await provider.add_user(sub, {"staff_ref": staff_ref, "role": role})
    return sub
