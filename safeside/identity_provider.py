"""The council's identity provider, through OpenID Connect: its discovery document, its keys,
the sign-in's two calls (the authorization URL and the code exchange), and checking the JWTs
it signs (ID tokens at sign-in, access tokens on the API).

Any standards-compliant provider serves (Microsoft Entra ID, Keycloak, Google Workspace, the
development one ``safeside dev`` starts): it is named by its issuer URL only, and everything
else is read from ``<issuer>/.well-known/openid-configuration``. The sign-in is the
authorization code flow with PKCE (S256), a state and a nonce, its requests made with
authlib's OAuth 2.0 parameters and sent with httpx.

Tokens are checked here, with PyJWT, against the provider's published keys (JWKS): RS256 or
ES256 only (never ``none`` or a shared-secret algorithm, which would let a public key sign),
a ``kid`` the key set holds, the issuer exactly, the audience, and the times with a bounded
clock skew. The key set is kept and fetched again when a token names a key it does not hold,
so the provider can rotate its keys without a restart here; at most once a second (a token
naming an unknown key waits for its turn), so a flood of made-up key ids cannot make this
server flood the provider.

Nothing here logs or raises with a token's contents: messages say which check failed.
"""

from __future__ import annotations

import asyncio
import base64
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx
import jwt
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from pydantic import BaseModel, ConfigDict, ValidationError

from safeside.errors import ServiceUnavailable
from safeside.settings import Settings
from safeside.tokens import InvalidToken, Principal

SIGNING_ALGORITHMS = ("RS256", "ES256")
# How soon an unknown key id may send us to the provider for its key set again.
KEY_REFRESH_INTERVAL_SECONDS = 1.0
_TIMEOUT = httpx.Timeout(10.0)


class ProviderMetadata(BaseModel):
    """What the discovery document says that the sign-in and the checks use."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None = None


@dataclass(frozen=True)
class SignInStart:
    """Where to send the browser, and what to keep until it comes back."""

    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class ProviderTokens:
    id_token: str
    access_token: str | None


class IdentityProvider:
    """One per process; safe to share between requests (each call to the provider opens its
    own connection: they are rare, the discovery document and keys being kept)."""

    def __init__(self, settings: Settings) -> None:
        if settings.oidc_issuer is None:
            raise ValueError("no identity provider is configured (SAFESIDE_OIDC_ISSUER)")
        self.issuer = settings.oidc_issuer.rstrip("/")
        self._client_id = settings.oidc_client_id
        secret = settings.oidc_client_secret
        self._client_secret = secret.get_secret_value() if secret is not None else None
        self._scopes = settings.oidc_scopes
        self._staff_claim = settings.oidc_staff_claim
        self._role_claim = settings.oidc_role_claim
        self.api_audience = settings.oidc_api_audience
        self._skew = timedelta(seconds=settings.oidc_clock_skew_seconds)
        self._max_lifetime = timedelta(hours=settings.auth_max_token_hours)
        self._metadata: ProviderMetadata | None = None
        self._keys: dict[str, jwt.PyJWK] = {}
        self._keys_fetched_at = float("-inf")
        self._keys_lock = asyncio.Lock()

    # -- discovery and keys ------------------------------------------------------------------

    async def metadata(self) -> ProviderMetadata:
        if self._metadata is None:
            url = f"{self.issuer}/.well-known/openid-configuration"
            try:
                found = ProviderMetadata.model_validate(await self._get_json(url))
            except ValidationError:
                raise ServiceUnavailable(
                    "the identity provider's discovery document lacks what sign-in needs"
                ) from None
            if found.issuer.rstrip("/") != self.issuer:
                raise ServiceUnavailable(
                    "the identity provider names another issuer than SAFESIDE_OIDC_ISSUER: "
                    "set it to the provider's issuer URL exactly"
                )
            self._metadata = found
        return self._metadata

    async def _get_json(self, url: str) -> Any:
        try:
            async with httpx.AsyncClient(timeout=_TIMEOUT) as http:
                answer = await http.get(url)
            answer.raise_for_status()
            return answer.json()
        except (httpx.HTTPError, ValueError):
            raise ServiceUnavailable(
                "the identity provider did not answer: try again in a minute, and tell the "
                "council's IT service desk if it goes on"
            ) from None

    async def _key(self, kid: str) -> jwt.PyJWK:
        key = self._keys.get(kid)
        if key is not None:
            return key
        async with self._keys_lock:
            key = self._keys.get(kid)  # fetched by whoever held the lock before us
            if key is None:
                # A key not seen yet: the provider may have rotated its keys. Ask again, but
                # not more often than the interval, whatever the tokens name.
                since = time.monotonic() - self._keys_fetched_at
                if since < KEY_REFRESH_INTERVAL_SECONDS:
                    await asyncio.sleep(KEY_REFRESH_INTERVAL_SECONDS - since)
                await self._fetch_keys()
                key = self._keys.get(kid)
        if key is None:
            raise InvalidToken(
                "the token is signed with a key the identity provider does not publish"
            )
        return key

    async def _fetch_keys(self) -> None:
        jwks_uri = (await self.metadata()).jwks_uri
        self._keys_fetched_at = time.monotonic()
        body = await self._get_json(jwks_uri)
        keys: dict[str, jwt.PyJWK] = {}
        for entry in body.get("keys", []) if isinstance(body, dict) else []:
            kid = entry.get("kid") if isinstance(entry, dict) else None
            if not isinstance(kid, str) or entry.get("use", "sig") != "sig":
                continue
            try:
                keys[kid] = jwt.PyJWK(entry)
            except jwt.PyJWTError:
                continue  # a key of a kind we do not use (or cannot): skip it, not the set
        self._keys = keys

    # -- checking tokens ---------------------------------------------------------------------

    async def verify(self, token: str, *, audience: str) -> dict[str, Any]:
        """The claims of a JWT the provider signed for ``audience``; InvalidToken otherwise."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken("the token is not a signed JWT") from None
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in SIGNING_ALGORITHMS:
            raise InvalidToken(
                f"the token is signed with {algorithm!r}; the identity provider's tokens must "
                f"use one of {', '.join(SIGNING_ALGORITHMS)}"
            )
        if not isinstance(kid, str):
            raise InvalidToken("the token does not name its signing key ('kid')")
        key = await self._key(kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                audience=audience,
                issuer=(await self.metadata()).issuer,
                leeway=self._skew,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("the token has expired: sign in again") from None
        except jwt.InvalidAudienceError:
            raise InvalidToken("the token was not issued for Safeside (its audience)") from None
        except jwt.InvalidIssuerError:
            raise InvalidToken(
                "the token was not issued by the council's identity provider"
            ) from None
        except jwt.ImmatureSignatureError:
            raise InvalidToken(
                "the token was issued in the future: check this server's clock"
            ) from None
        except jwt.MissingRequiredClaimError as exc:
            raise InvalidToken(f"the token has no {exc.claim!r} claim") from None
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"the token is not valid ({type(exc).__name__})") from None
        if int(claims["exp"]) - int(claims["iat"]) > self._max_lifetime.total_seconds():
            raise InvalidToken("the token lives longer than a token may: sign in again")
        return claims

    def principal(self, claims: dict[str, Any]) -> Principal:
        """Whom verified claims name: the staff reference and role claims the settings say."""
        try:
            return Principal(
                subject=claims.get(self._staff_claim), role=claims.get(self._role_claim)
            )
        except ValidationError:
            raise InvalidToken(
                f"the identity provider gave no staff reference ({self._staff_claim!r}) or no "
                f"staff role ({self._role_claim!r}) that Safeside knows"
            ) from None

    async def verify_access_token(self, token: str) -> Principal:
        """Whom an access token sent to the API names."""
        return self.principal(await self.verify(token, audience=self.api_audience))

    # -- the sign-in's two calls -------------------------------------------------------------

    async def start_sign_in(self, redirect_uri: str) -> SignInStart:
        """A new sign-in: the provider's authorization URL, with a fresh state, nonce and PKCE
        verifier (whose S256 challenge the URL carries)."""
        endpoint = (await self.metadata()).authorization_endpoint
        state, nonce, code_verifier = generate_token(32), generate_token(32), generate_token(64)
        url = prepare_grant_uri(
            endpoint,
            self._client_id,
            "code",
            redirect_uri=redirect_uri,
            scope=self._scopes,
            state=state,
            nonce=nonce,
            code_challenge=create_s256_code_challenge(code_verifier),
            code_challenge_method="S256",
        )
        return SignInStart(url=url, state=state, nonce=nonce, code_verifier=code_verifier)

    async def exchange_code(
        self, *, code: str, redirect_uri: str, code_verifier: str
    ) -> ProviderTokens:
        """The tokens for an authorization code; InvalidToken when the provider refuses it
        (used already, expired, or not issued to us)."""
        endpoint = (await self.metadata()).token_endpoint
        body = prepare_token_request(
            "authorization_code",
            code=code,
            redirect_uri=redirect_uri,
            code_verifier=code_verifier,
            client_id=self._client_id,
        )
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if self._client_secret:  # client_secret_basic, which every provider must take
            headers["Authorization"] = _basic(self._client_id, self._client_secret)
        try:
            async with httpx.AsyncClient(timeout=_TIMEOUT) as http:
                answer = await http.post(endpoint, content=body, headers=headers)
        except httpx.HTTPError:
            raise ServiceUnavailable("the identity provider did not answer: try again") from None
        try:
            tokens = answer.json()
        except ValueError:
            tokens = {}
        if answer.status_code != 200 or not isinstance(tokens, dict):
            error = tokens.get("error") if isinstance(tokens, dict) else None
            raise InvalidToken(
                f"the identity provider refused the sign-in ({error or answer.status_code})"
            )
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise InvalidToken("the identity provider answered without an ID token")
        access_token = tokens.get("access_token")
        return ProviderTokens(
            id_token=id_token, access_token=access_token if isinstance(access_token, str) else None
        )

    async def verify_id_token(self, id_token: str, *, nonce: str) -> Principal:
        """Whom the sign-in's ID token names, once it is ours (audience: our client id) and
        answers this sign-in (its nonce)."""
        claims = await self.verify(id_token, audience=self._client_id)
        if claims.get("nonce") != nonce:
            raise InvalidToken("the sign-in answer does not belong to this sign-in (its nonce)")
        return self.principal(claims)


def _basic(client_id: str, secret: str) -> str:
    """HTTP Basic credentials as RFC 6749 2.3.1 writes them (each part form-encoded first);
    without a secret the client is a public one, its PKCE verifier its proof."""
    pair = f"{quote(client_id, safe='')}:{quote(secret, safe='')}"
    return "Basic " + base64.b64encode(pair.encode()).decode()
