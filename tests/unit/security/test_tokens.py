"""Bearer tokens: signed, expiring within the maximum lifetime, for a role and an opaque
subject, each with an id of its own; one verifier."""

from __future__ import annotations

import time
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
    """A token made without the verifier: the claims a good one has (issued now, for an
    hour), changed by ``claims``; a claim given as None is left out."""
    now = int(time.time())
    good = {
        "sub": "staff-01",
        "role": "registered_manager",
        "iss": "safeside",
        "aud": "safeside-api",
        "iat": now,
        "exp": now + 3600,
        "jti": "hand-made-token-id",
    }
    chosen = {name: value for name, value in (good | claims).items() if value is not None}
    return jwt.encode(chosen, key, algorithm=algorithm)


def test_a_hand_made_token_with_every_claim_is_accepted() -> None:
    token = hand_made(TEST_TOKEN_SECRET, "HS256")
    assert verifier().verify(token) == MANAGER


def test_each_issued_token_has_an_id_of_its_own_and_says_when_it_ends() -> None:
    first = verifier().verify_token(verifier().issue(MANAGER, lifetime=timedelta(hours=2)))
    second = verifier().verify_token(verifier().issue(MANAGER, lifetime=timedelta(hours=2)))
    assert first.token_id != second.token_id
    assert first.expires_at - first.issued_at == timedelta(hours=2)


def test_a_token_living_longer_than_twelve_hours_is_refused() -> None:
    now = int(time.time())
    for lifetime in (timedelta(days=365 * 100), timedelta(hours=12, seconds=1)):
        token = hand_made(TEST_TOKEN_SECRET, "HS256", iat=now, exp=now + lifetime.total_seconds())
        with pytest.raises(InvalidToken) as refused:
            verifier().verify(token)
        assert str(refused.value) == (
            "the token lasts longer than the 12 hours a token may live: ask for a new one"
        )
    twelve = hand_made(TEST_TOKEN_SECRET, "HS256", iat=now, exp=now + 12 * 3600)
    assert verifier().verify(twelve) == MANAGER


def test_the_maximum_lifetime_is_a_setting() -> None:
    now = int(time.time())
    token = hand_made(TEST_TOKEN_SECRET, "HS256", iat=now, exp=now + 3 * 3600)
    with pytest.raises(InvalidToken, match="longer than the 2 hours"):
        verifier(auth_max_token_hours=2).verify(token)


@pytest.mark.parametrize("claim", ["iat", "exp", "jti", "sub", "iss", "aud"])
def test_a_token_without_a_required_claim_is_refused(claim: str) -> None:
    token = hand_made(TEST_TOKEN_SECRET, "HS256", **{claim: None})
    with pytest.raises(InvalidToken) as refused:
        verifier().verify(token)
    assert str(refused.value) == (
        f"the token has no '{claim}' claim, which every token needs: ask for a new one"
    )


def test_a_token_issued_in_the_future_is_refused() -> None:
    later = int(time.time()) + 600
    token = hand_made(TEST_TOKEN_SECRET, "HS256", iat=later, exp=later + 3600)
    with pytest.raises(InvalidToken, match="the token was issued in the future"):
        verifier().verify(token)


def test_a_clock_a_few_seconds_ahead_is_forgiven() -> None:
    soon = int(time.time()) + 10
    token = hand_made(TEST_TOKEN_SECRET, "HS256", iat=soon, exp=soon + 3600)
    assert verifier().verify(token) == MANAGER


def test_a_token_id_that_is_not_text_is_refused_without_echoing_the_token() -> None:
    for jti in (12345, "", "x" * 500):
        token = hand_made(TEST_TOKEN_SECRET, "HS256", jti=jti)
        with pytest.raises(InvalidToken) as refused:
            verifier().verify(token)
        assert "is not a token id" in str(refused.value)
        assert token not in str(refused.value)


def test_the_verifier_will_not_issue_a_token_it_would_refuse() -> None:
    with pytest.raises(ValueError, match="at most 12 hours"):
        verifier().issue(MANAGER, lifetime=timedelta(hours=13))


def test_a_token_with_an_unknown_role_is_refused() -> None:
    token = hand_made(TEST_TOKEN_SECRET, "HS256", role="janitor")
    with pytest.raises(InvalidToken, match="not a known staff role"):
        verifier().verify(token)


def test_an_unsigned_token_is_refused() -> None:
    token = hand_made(None, "none", sub="x", role="auditor")
    with pytest.raises(InvalidToken):
        verifier().verify(token)


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
