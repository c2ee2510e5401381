"""Bearer tokens: signed, expiring, for a role and an opaque subject; one verifier."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from pydantic import SecretStr

from safeside.private_files import is_owner_only
from safeside.settings import Settings
from safeside.tokens import (
    InvalidToken,
    Principal,
    TokenConfigError,
    TokenVerifier,
    ensure_signing_secret_file,
)
from tests.support.security import TEST_TOKEN_SECRET, security_settings
from workflows.domain.common import Role

MANAGER = Principal(subject="staff-01", role=Role.registered_manager)


def verifier(**changes: object) -> TokenVerifier:
    return TokenVerifier.from_settings(security_settings(**changes))


def test_an_issued_token_names_its_subject_and_role() -> None:
    token = verifier().issue(MANAGER, lifetime=timedelta(hours=1))
    assert verifier().verify(token) == MANAGER


def test_an_expired_token_is_refused() -> None:
    token = verifier().issue(MANAGER, lifetime=timedelta(minutes=-5))
    with pytest.raises(InvalidToken, match="expired"):
        verifier().verify(token)


def test_a_token_signed_with_another_secret_is_refused() -> None:
    forged = TokenVerifier(
        "another-secret-" + "y" * 32, issuer="safeside", audience="safeside-api", role_claim="role"
    ).issue(MANAGER, lifetime=timedelta(hours=1))
    with pytest.raises(InvalidToken, match="InvalidSignatureError"):
        verifier().verify(forged)


def test_a_token_for_another_audience_is_refused() -> None:
    token = verifier(auth_audience="elsewhere").issue(MANAGER, lifetime=timedelta(hours=1))
    with pytest.raises(InvalidToken, match="InvalidAudienceError"):
        verifier().verify(token)


def hand_made(key: str | None, algorithm: str, **claims: object) -> str:
    """A token made without the verifier: the claims a good one has, changed by ``claims``."""
    good = {
        "sub": "staff-01",
        "role": "registered_manager",
        "iss": "safeside",
        "aud": "safeside-api",
        "exp": 9_999_999_999,
    }
    return jwt.encode(good | claims, key, algorithm=algorithm)


def test_a_token_with_an_unknown_role_is_refused() -> None:
    token = hand_made(TEST_TOKEN_SECRET, "HS256", role="janitor")
    with pytest.raises(InvalidToken, match="not a known staff role"):
        verifier().verify(token)


def test_an_unsigned_token_is_refused() -> None:
    token = hand_made(None, "none", sub="x", role="auditor")
    with pytest.raises(InvalidToken):
        verifier().verify(token)


def test_an_identity_provider_url_is_refused_until_it_is_supported() -> None:
    with pytest.raises(TokenConfigError, match="not supported yet"):
        verifier(auth_jwks_url="https://login.example.gov.uk/jwks")


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(TokenConfigError, match="shorter than 32"):
        TokenVerifier.from_settings(Settings(auth_token_secret=SecretStr("short")))


def test_the_dev_secret_file_is_owner_only_and_used_when_nothing_else_is_set(
    tmp_path: Path,
) -> None:
    assert ensure_signing_secret_file(tmp_path / "token-secret") is True
    assert is_owner_only(tmp_path / "token-secret")
    dev = TokenVerifier.from_settings(Settings(data_dir=tmp_path))
    assert dev.verify(dev.issue(MANAGER, lifetime=timedelta(hours=1))) == MANAGER


def test_no_secret_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(TokenConfigError, match="run `safeside dev` once"):
        TokenVerifier.from_settings(Settings(data_dir=tmp_path))
