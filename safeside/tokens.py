"""Bearer tokens: who is calling (an opaque staff reference) and in which role.

The one verifier for the HTTP API, the web page's session and the codec endpoint. Tokens are
JWTs signed with HS256 and a secret from the settings, carrying ``sub`` (an opaque staff
reference, never a name), the role claim, ``iss``, ``aud``, ``iat``, ``exp`` and ``jti`` (a
random id, so that signing out can end this one token on the server, in
``starter.services.sessions``). Every claim is required, and a token may live at most
``auth_max_token_hours`` (12 by default) from ``iat`` to ``exp``: a long-lived token, once
copied, would be a key that never changes. These are for service accounts and scripts; people
sign in through the council's identity provider (``safeside.identity_provider``), whose
tokens are checked against its own published keys.
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
# Clocks differ a little between the issuer and this server; nothing more is forgiven.
LEEWAY = timedelta(seconds=30)
DEFAULT_MAX_LIFETIME = timedelta(hours=12)
REQUIRED_CLAIMS = ("exp", "iat", "sub", "iss", "aud", "jti")
# A token id is random and opaque (``secrets.token_urlsafe``); anything longer is not ours.
_MAX_TOKEN_ID_LENGTH = 128
_NOT_A_TOKEN_ID = "the token's 'jti' claim is not a token id: ask for a new one"


class Principal(BaseModel):
    """The caller a valid token names."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: Reference
    role: Role


class VerifiedToken(BaseModel):
    """A token that passed every check: whom it names, and which session it is (its id, so
    signing out can end it, and its expiry, after which that record may go)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    principal: Principal
    token_id: str
    issued_at: datetime
    expires_at: datetime


class InvalidToken(SafesideError):
    """The token cannot be trusted; the message says why, never what the token held."""


class TokenConfigError(SafesideError):
    """No usable signing secret, or a setting asks for what is not implemented."""


class TokenVerifier:
    def __init__(
        self,
        secret: str,
        *,
        issuer: str,
        audience: str,
        role_claim: str,
        max_lifetime: timedelta = DEFAULT_MAX_LIFETIME,
    ) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            raise TokenConfigError(
                f"the token signing secret is shorter than {MIN_SECRET_LENGTH} characters"
            )
        self._secret = secret
        self._issuer = issuer
        self._audience = audience
        self._role_claim = role_claim
        self.max_lifetime = max_lifetime

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenVerifier:
        return cls(
            load_signing_secret(settings),
            issuer=settings.auth_issuer,
            audience=settings.auth_audience,
            role_claim=settings.auth_role_claim,
            max_lifetime=timedelta(hours=settings.auth_max_token_hours),
        )

    def issue(self, principal: Principal, *, lifetime: timedelta) -> str:
        """A token for ``principal``; ValueError for a lifetime ``verify`` would refuse."""
        if lifetime > self.max_lifetime:
            raise ValueError(
                f"a token may live at most {_hours(self.max_lifetime)} hours, "
                f"not {_hours(lifetime)}"
            )
        now = datetime.now(UTC)
        claims = {
            "sub": principal.subject,
            self._role_claim: principal.role.value,
            "iss": self._issuer,
            "aud": self._audience,
            "iat": now,
            "exp": now + lifetime,
            "jti": secrets.token_urlsafe(24),
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Principal:
        """Whom a trustworthy token names; InvalidToken otherwise."""
        return self.verify_token(token).principal

    def verify_token(self, token: str) -> VerifiedToken:
        """Every check but whether its session was ended (that needs the database)."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=self._issuer,
                audience=self._audience,
                leeway=LEEWAY,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("the token has expired: ask for a new one") from None
        except jwt.MissingRequiredClaimError as exc:
            raise InvalidToken(
                f"the token has no {exc.claim!r} claim, which every token needs: ask for a new one"
            ) from None
        except jwt.ImmatureSignatureError:
            raise InvalidToken(
                "the token was issued in the future: check this server's clock and the "
                "issuer's, then ask for a new one"
            ) from None
        except jwt.exceptions.InvalidJTIError:
            raise InvalidToken(_NOT_A_TOKEN_ID) from None
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"the token is not valid ({type(exc).__name__})") from None
        # PyJWT has checked that both are whole numbers of seconds.
        issued_at, expires_at = int(claims["iat"]), int(claims["exp"])
        if expires_at - issued_at > self.max_lifetime.total_seconds():
            raise InvalidToken(
                f"the token lasts longer than the {_hours(self.max_lifetime)} hours a token "
                "may live: ask for a new one"
            )
        token_id = claims["jti"]
        if not isinstance(token_id, str) or not 0 < len(token_id) <= _MAX_TOKEN_ID_LENGTH:
            raise InvalidToken(_NOT_A_TOKEN_ID)
        try:
            principal = Principal(subject=claims["sub"], role=claims.get(self._role_claim))
        except ValidationError:
            raise InvalidToken(
                f"the token's subject or {self._role_claim!r} claim is not a known staff role "
                "and reference"
            ) from None
        return VerifiedToken(
            principal=principal,
            token_id=token_id,
            issued_at=datetime.fromtimestamp(issued_at, UTC),
            expires_at=datetime.fromtimestamp(expires_at, UTC),
        )


def _hours(span: timedelta) -> str:
    return f"{span.total_seconds() / 3600:g}"


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
