"""The API takes the council's identity provider's access tokens (RS256, checked against its
published keys), and refuses every token that is not one: another audience, another issuer,
a key it does not publish, a role the staff directory does not give. HS256 tokens from
`safeside token issue` stay for service accounts and scripts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
import jwt
import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI

from safeside.embedded.identity_provider import EmbeddedIdentityProvider
from starter.services.connection import Services
from tests.integration.web.conftest import signing_in_with
from tests.support.asgi_browser import browser_on
from tests.support.identity_provider import (
    Authorization,
    exchange_code,
    provider_user,
    sign_in,
    sign_in_code,
)
from tests.support.security import bearer

MANAGER = "staff-01-as-registered-manager"
# staff-17 is a key and residential worker: the directory gives them no manager's role.
NOT_THEIR_ROLE = "staff-17-as-registered-manager"


@pytest.fixture(autouse=True)
async def people(identity_provider: EmbeddedIdentityProvider) -> None:
    assert await provider_user(identity_provider, "staff-01", "registered_manager") == MANAGER
    assert await provider_user(identity_provider, "staff-17", "registered_manager") == (
        NOT_THEIR_ROLE
    )


@pytest_asyncio.fixture(loop_scope="session")
async def api(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with browser_on(app) as client:
        yield client


def as_bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def access_token(provider: EmbeddedIdentityProvider, sub: str) -> str:
    _, tokens = await sign_in(provider, sub)
    return tokens.access_token


async def test_the_provider_s_access_token_reads_as_the_person_it_names(
    api: httpx.AsyncClient, identity_provider: EmbeddedIdentityProvider
) -> None:
    token = await access_token(identity_provider, MANAGER)
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    answer = await api.get("/placements", headers=as_bearer(token))
    assert answer.status_code == 200, answer.text
    # Service accounts and scripts: the HS256 tokens still serve.
    assert (await api.get("/placements", headers=bearer("registered_manager"))).status_code == 200


async def test_an_id_token_is_not_an_access_token_for_the_api(
    api: httpx.AsyncClient, identity_provider: EmbeddedIdentityProvider
) -> None:
    _, tokens = await sign_in(identity_provider, MANAGER)
    answer = await api.get("/placements", headers=as_bearer(tokens.id_token))
    assert answer.status_code == 401
    assert answer.json()["detail"] == "the token was not issued for Safeside (its audience)"


async def test_a_token_of_another_issuer_is_refused(
    api: httpx.AsyncClient, identity_provider: EmbeddedIdentityProvider
) -> None:
    # The same provider, called by another name, signs with the same key as another issuer.
    elsewhere = f"http://localhost:{urlsplit(identity_provider.issuer).port}"
    request = Authorization.new(elsewhere)
    async with httpx.AsyncClient(timeout=10) as http:
        code = await sign_in_code(http, request, MANAGER)
        token = (await exchange_code(http, elsewhere, request, code)).json()["access_token"]
    assert jwt.decode(token, options={"verify_signature": False})["iss"] == elsewhere
    answer = await api.get("/placements", headers=as_bearer(token))
    assert answer.status_code == 401
    assert answer.json()["detail"] == "the token was not issued by the council's identity provider"


async def test_a_key_the_provider_does_not_publish_is_refused(
    api: httpx.AsyncClient, identity_provider: EmbeddedIdentityProvider
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    forged = jwt.encode(
        {
            "iss": identity_provider.issuer, "aud": "safeside-api", "sub": "x",
            "staff_ref": "staff-01", "role": "registered_manager",
            "iat": now, "exp": now + timedelta(minutes=5),
        },
        key,
        algorithm="RS256",
        headers={"kid": "a-key-of-my-own"},
    )  # fmt: skip
    answer = await api.get("/placements", headers=as_bearer(forged))
    assert answer.status_code == 401
    assert answer.json()["detail"] == (
        "the token is signed with a key the identity provider does not publish"
    )


async def test_only_rs256_and_es256_are_taken_from_the_provider(api: httpx.AsyncClient) -> None:
    unsigned = jwt.encode({"sub": "staff-01", "role": "registered_manager"}, None, "none")
    answer = await api.get("/placements", headers=as_bearer(unsigned))
    assert answer.status_code == 401
    assert "must use one of RS256, ES256" in answer.json()["detail"]


async def test_a_rotated_key_is_fetched_when_a_token_names_it(
    api: httpx.AsyncClient, identity_provider: EmbeddedIdentityProvider
) -> None:
    before = await access_token(identity_provider, MANAGER)
    assert (await api.get("/placements", headers=as_bearer(before))).is_success
    new_kid = await identity_provider.rotate_signing_key()
    after = await access_token(identity_provider, MANAGER)
    assert jwt.get_unverified_header(after)["kid"] == new_kid
    assert new_kid != jwt.get_unverified_header(before)["kid"]
    answer = await api.get("/placements", headers=as_bearer(after))
    assert answer.status_code == 200, answer.text


async def test_a_role_the_staff_directory_does_not_give_is_refused(
    api: httpx.AsyncClient, identity_provider: EmbeddedIdentityProvider
) -> None:
    token = await access_token(identity_provider, NOT_THEIR_ROLE)
    answer = await api.get("/placements", headers=as_bearer(token))
    assert answer.status_code == 403
    assert answer.json()["detail"] == (
        "the staff directory does not give you the role registered_manager: ask the administrator"
    )


async def test_another_audience_setting_refuses_the_provider_s_tokens(
    services: Services, identity_provider: EmbeddedIdentityProvider
) -> None:
    token = await access_token(identity_provider, MANAGER)
    other = signing_in_with(services, identity_provider, oidc_api_audience="another-api")
    async with browser_on(other) as api:
        answer = await api.get("/placements", headers=as_bearer(token))
    assert answer.status_code == 401
    assert answer.json()["detail"] == "the token was not issued for Safeside (its audience)"
