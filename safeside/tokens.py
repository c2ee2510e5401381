"""Bearer tokens: who is calling (an opaque staff reference) and in which role.

The one verifier for the HTTP API and the codec endpoint. Tokens are JWTs signed with HS256
and a secret from the settings, carrying ``sub`` (an opaque staff reference, never a name),
the role claim, ``iss``, ``aud`` and ``exp``. An identity provider (OIDC) would sign with its
own keys instead; the issuer, audience and role claim are settings already, and
``auth_jwks_url`` is refused until RS256 verification against its key set is added here.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
from pydantic import BaseModel, ConfigDict, ValidationError

from safeside.errors import SafesideError
from safeside.private_files import write_private_file
from safeside.settings import Settings
from workflows.domain.common import Reference, Role

ALGORITHM = "HS256"
MIN_SECRET_LENGTH = 32
DEV_SECRET_FILE = "token-secret"
_LEEWAY = timedelta(seconds=30)


class Principal(BaseModel):
    """The caller a valid token names."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: Reference
    role: Role


class InvalidToken(SafesideError):
    """The token cannot be trusted; the message says why, never what the token held."""


class TokenConfigError(SafesideError):
    """No usable signing secret, or a setting asks for what is not implemented."""


class TokenVerifier:
    def __init__(self, secret: str, *, issuer: str, audience: str, role_claim: str) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            raise TokenConfigError(
                f"the token signing secret is shorter than {MIN_SECRET_LENGTH} characters"
            )
        self._secret = secret
        self._issuer = issuer
        self._audience = audience
        self._role_claim = role_claim

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenVerifier:
        if settings.auth_jwks_url is not None:
            raise TokenConfigError(
                "SAFESIDE_AUTH_JWKS_URL is set, but tokens from an identity provider are not "
                "supported yet: unset it and use SAFESIDE_AUTH_TOKEN_SECRET (HS256)"
            )
        return cls(
            load_signing_secret(settings),
            issuer=settings.auth_issuer,
            audience=settings.auth_audience,
            role_claim=settings.auth_role_claim,
        )

    def issue(self, principal: Principal, *, lifetime: timedelta) -> str:
        now = datetime.now(UTC)
        claims = {
            "sub": principal.subject,
            self._role_claim: principal.role.value,
            "iss": self._issuer,
            "aud": self._audience,
            "iat": now,
            "exp": now + lifetime,
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=self._issuer,
                audience=self._audience,
                leeway=_LEEWAY,
                options={"require": ["exp", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("the token has expired: ask for a new one") from None
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"the token is not valid ({type(exc).__name__})") from None
        try:
            return Principal(subject=claims["sub"], role=claims.get(self._role_claim))
        except ValidationError:
            raise InvalidToken(
                f"the token's subject or {self._role_claim!r} claim is not a known staff role "
                "and reference"
            ) from None


def signing_secret_file(settings: Settings) -> Path:
    return settings.auth_token_secret_file or settings.data_dir / DEV_SECRET_FILE


def load_signing_secret(settings: Settings) -> str:
    if settings.auth_token_secret is not None:
        return settings.auth_token_secret.get_secret_value()
    path = signing_secret_file(settings)
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise TokenConfigError(
            f"no token signing secret at {path}: set SAFESIDE_AUTH_TOKEN_SECRET or "
            "SAFESIDE_AUTH_TOKEN_SECRET_FILE, or run `safeside dev` once to create one"
        ) from None


def ensure_signing_secret_file(path: Path) -> bool:
    """Create a random signing secret file (owner-only) if there is none; True when created."""
    if path.exists():
        return False
    write_private_file(path, secrets.token_urlsafe(48) + "\n")
    return True
