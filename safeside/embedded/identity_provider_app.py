"""The development identity provider's process: oidc-provider-mock's Flask app under uvicorn,
as the mock's own ``__main__`` runs it, with what a real provider has and the mock lacks:

- Access tokens are JWTs (RFC 9068: ``typ`` at+jwt, signed RS256 with the provider's current
  key, ``kid`` in the header), so the API verifies them against the provider's JWKS exactly as
  it would a council's. The mock's own are opaque random strings.
- Its ID tokens name their key (``kid``), as every real provider's do: a client that meets
  an unknown ``kid`` knows to fetch the JWKS again after a rotation.
- PKCE is checked: a code is exchanged only with the verifier of the challenge its request
  was made with (the mock takes the challenge and ignores it).
- ``POST /dev/rotate-signing-key`` replaces the signing key with a new one (a new ``kid``):
  the JWKS then holds only the new key, as after a provider's key rotation.

Run by ``safeside.embedded.identity_provider`` (``python -m`` this module); never in
production. Only loaded in that process: flask and the mock are the ``dev`` extra.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
import flask
import jwt
import oidc_provider_mock
import uvicorn
from authlib.jose import RSAKey
from authlib.oauth2.rfc7636 import CodeChallenge
from oidc_provider_mock import _app as mock_app

from safeside.embedded.identity_provider import ROTATE_PATH

_ALGORITHM = "RS256"
# Claims the provider sets on every access token; a user's own claims of these names win (as
# they do in the mock's ID tokens), so a test can ask for a token with a wrong audience.
_REGISTERED = ("iss", "sub", "aud", "iat", "exp", "jti", "client_id", "scope")


def _storage() -> Any:
    # The mock keeps its storage (users, codes, the signing key) on flask.g for each request.
    return flask.g.oidc_provider_mock_storage


def _issuer() -> str:
    # As the mock's ID tokens and discovery document say it: the address the request came to.
    return flask.request.host_url.rstrip("/")


def access_token_generator(
    audience: str, max_age: timedelta
) -> Callable[[Any, str, Any, str], str]:
    """The ``OAUTH2_ACCESS_TOKEN_GENERATOR`` authlib calls as ``(client, grant_type, user,
    scope)`` for every token it issues."""

    def generate(client: Any, grant_type: str, user: Any, scope: str) -> str:
        key = _storage().jwk
        now = int(time.time())
        claims: dict[str, object] = {
            "iss": _issuer(),
            "sub": user.sub,
            "aud": audience,
            "iat": now,
            "exp": now + int(max_age.total_seconds()),
            "jti": secrets.token_urlsafe(16),
            "client_id": client.get_client_id(),
            "scope": scope,
        }
        claims.update(user.claims)
        return jwt.encode(
            claims,
            key.get_private_key(),
            algorithm=_ALGORITHM,
            headers={"kid": key_id(key), "typ": "at+jwt"},
        )

    return generate


def key_id(key: Any) -> str:
    # The JWKS names each key by its RFC 7638 thumbprint; the mock's ID tokens do too.
    kid: str = key.as_dict()["kid"]
    return kid


# Each code's PKCE challenge and method, kept beside the mock's codes (which have no field
# for them); one provider per process.
_CHALLENGES: dict[str, tuple[str | None, str | None]] = {}


class _PkceCodeGrant(mock_app.AuthorizationCodeGrant):  # type: ignore[misc]
    def save_authorization_code(self, code: str, request: Any) -> None:
        super().save_authorization_code(code, request)
        asked = request.payload.data
        _CHALLENGES[code] = (asked.get("code_challenge"), asked.get("code_challenge_method"))


class _StoredCodeChallenge(CodeChallenge):  # type: ignore[misc]
    def get_authorization_code_challenge(self, authorization_code: Any) -> str | None:
        return _CHALLENGES.get(authorization_code.code, (None, None))[0]

    def get_authorization_code_challenge_method(self, authorization_code: Any) -> str | None:
        return _CHALLENGES.get(authorization_code.code, (None, None))[1]


class _OpenIDCode(mock_app.OpenIDCode):  # type: ignore[misc]
    """The mock's OpenID extension of the code grant, with the signing key's ``kid`` in the
    ID token's header, and PKCE checked beside it."""

    def __call__(self, grant: Any) -> None:
        super().__call__(grant)
        _StoredCodeChallenge(required=True)(grant)

    def get_encode_header(self, client: object) -> dict[str, str]:
        header: dict[str, str] = super().get_encode_header(client)
        return {**header, "kid": key_id(_storage().jwk)}


def create_app(
    *, users: list[oidc_provider_mock.User], audience: str, token_max_age: timedelta
) -> flask.Flask:
    # The login form's templates are the mock's own, beside its package.
    templates = Path(oidc_provider_mock.__file__).parent / "templates"
    app = flask.Flask(__name__, template_folder=templates)
    # The mock's blueprint registers its grant by these names when it is registered.
    mock_app.AuthorizationCodeGrant = _PkceCodeGrant
    mock_app.OpenIDCode = _OpenIDCode
    # Read when the mock's blueprint is registered (authlib's AuthorizationServer.init_app).
    app.config["OAUTH2_ACCESS_TOKEN_GENERATOR"] = access_token_generator(audience, token_max_age)
    oidc_provider_mock.init_app(
        app,
        require_nonce=True,
        issue_refresh_token=False,
        access_token_max_age=token_max_age,
        user_claims=users,
    )
    app.secret_key = secrets.token_bytes(16)

    @app.post(ROTATE_PATH)
    def rotate_signing_key() -> flask.Response:
        storage = _storage()
        storage.jwk = RSAKey.generate_key(is_private=True)
        logging.getLogger(__name__).info("signing key rotated: kid %s", key_id(storage.jwk))
        return flask.jsonify({"kid": key_id(storage.jwk)})

    return app


def users_from_json(text: str) -> list[oidc_provider_mock.User]:
    return [
        oidc_provider_mock.User(sub=entry["sub"], claims=dict(entry["claims"]))
        for entry in json.loads(text)
    ]


@click.command()
@click.option("--port", type=int, required=True)
@click.option("--audience", default="safeside-api", show_default=True)
@click.option("--token-max-age-seconds", type=int, default=3600, show_default=True)
@click.option("--users", "users_json", default="[]", help='JSON: [{"sub": ..., "claims": {...}}]')
def main(port: int, audience: str, token_max_age_seconds: int, users_json: str) -> None:
    # Loopback only, over plain http: authlib refuses that unless told it is meant.
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app(
        users=users_from_json(users_json),
        audience=audience,
        token_max_age=timedelta(seconds=token_max_age_seconds),
    )
    uvicorn.run(app, interface="wsgi", host="127.0.0.1", port=port, log_config=None)


if __name__ == "__main__":
    main()
