"""The development identity provider `safeside dev` starts: a real OpenID Connect provider
whose tokens a client verifies exactly as it would a council's (PKCE, nonce, RS256 against the
published keys), with the demo staff on its login page and a signing key that can be rotated."""

from __future__ import annotations

import httpx
import jwt
import pytest

from safeside.embedded.identity_provider import EmbeddedIdentityProvider
from starter.cli.organisation_seed import DEV_ORGANISATION, provider_users
from tests.support.identity_provider import (
    CLIENT_ID,
    Authorization,
    exchange_code,
    published_keys,
    sign_in,
    sign_in_code,
    verified,
)

API_AUDIENCE = "safeside-api"


async def test_a_duty_manager_signs_in_and_both_tokens_verify_against_the_published_keys(
    identity_provider: EmbeddedIdentityProvider,
) -> None:
    request, tokens = await sign_in(identity_provider, "staff-03-duty-manager")
    keys = await published_keys(identity_provider)
    issuer = identity_provider.issuer

    identity = verified(tokens.id_token, keys, issuer=issuer, audience=CLIENT_ID)
    assert identity["nonce"] == request.params["nonce"]
    assert (identity["staff_ref"], identity["role"]) == ("staff-03", "duty_manager")

    access = verified(tokens.access_token, keys, issuer=issuer, audience=API_AUDIENCE)
    assert (access["staff_ref"], access["role"]) == ("staff-03", "duty_manager")
    assert access["sub"] == "staff-03-duty-manager"
    assert access["client_id"] == CLIENT_ID
    assert access["exp"] > access["iat"]
    assert access["jti"]
    assert jwt.get_unverified_header(tokens.access_token)["typ"] == "at+jwt"
    # Sessions live on Safeside's side: the provider hands out no long-lived credential.
    assert "refresh_token" not in tokens.answer


async def test_the_login_page_lists_every_demo_staff_member_in_each_of_their_roles(
    identity_provider: EmbeddedIdentityProvider,
) -> None:
    request = Authorization.new(identity_provider.issuer)
    async with httpx.AsyncClient() as client:
        page = await client.get(request.url, params=request.params)
    assert page.status_code == 200
    for user in provider_users(DEV_ORGANISATION):
        assert f'value="{user.sub}"' in page.text


async def test_a_code_is_refused_without_the_verifier_its_request_was_made_with(
    identity_provider: EmbeddedIdentityProvider,
) -> None:
    request = Authorization.new(identity_provider.issuer)
    other = Authorization.new(identity_provider.issuer)
    async with httpx.AsyncClient() as client:
        code = await sign_in_code(client, request, "staff-01-registered-manager")
        stolen = await exchange_code(client, identity_provider.issuer, other, code)
    assert stolen.status_code == 400
    assert stolen.json()["error"] == "invalid_grant"


async def test_a_code_is_exchanged_once(identity_provider: EmbeddedIdentityProvider) -> None:
    request = Authorization.new(identity_provider.issuer)
    async with httpx.AsyncClient() as client:
        code = await sign_in_code(client, request, "staff-01-registered-manager")
        first = await exchange_code(client, identity_provider.issuer, request, code)
        replayed = await exchange_code(client, identity_provider.issuer, request, code)
    assert first.status_code == 200
    assert replayed.status_code == 400


async def test_a_request_without_a_nonce_gets_no_code(
    identity_provider: EmbeddedIdentityProvider,
) -> None:
    request = Authorization.new(identity_provider.issuer)
    del request.params["nonce"]
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            request.url, params=request.params, data={"sub": "staff-01-registered-manager"}
        )
    assert "code=" not in answer.headers.get("location", "")
    assert "nonce" in answer.text + answer.headers.get("location", "")


async def test_a_user_added_at_run_time_signs_in_with_the_claims_given(
    identity_provider: EmbeddedIdentityProvider,
) -> None:
    await identity_provider.add_user(
        "staff-90-key-worker", {"staff_ref": "staff-90", "role": "key_worker"}
    )
    _, tokens = await sign_in(identity_provider, "staff-90-key-worker")
    keys = await published_keys(identity_provider)
    access = verified(
        tokens.access_token, keys, issuer=identity_provider.issuer, audience=API_AUDIENCE
    )
    assert (access["staff_ref"], access["role"]) == ("staff-90", "key_worker")


async def test_after_a_key_rotation_only_the_new_key_is_published_and_new_tokens_name_it(
    identity_provider: EmbeddedIdentityProvider,
) -> None:
    _, before = await sign_in(identity_provider, "staff-03-duty-manager")
    old_kid = jwt.get_unverified_header(before.access_token)["kid"]

    new_kid = await identity_provider.rotate_signing_key()

    keys = await published_keys(identity_provider)
    assert new_kid != old_kid
    assert [key.key_id for key in keys] == [new_kid]
    with pytest.raises(KeyError, match="no key for kid"):
        verified(before.access_token, keys, issuer=identity_provider.issuer, audience=API_AUDIENCE)
    _, after = await sign_in(identity_provider, "staff-03-duty-manager")
    for token, audience in ((after.id_token, CLIENT_ID), (after.access_token, API_AUDIENCE)):
        assert jwt.get_unverified_header(token)["kid"] == new_kid
        assert verified(token, keys, issuer=identity_provider.issuer, audience=audience)
