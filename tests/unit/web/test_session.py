"""The CSRF token of a session and of the sign-in form."""

from __future__ import annotations

from starter.web.session import CsrfKey

SECRET = "a-signing-secret-of-more-than-thirty-two-characters"


def test_a_session_s_own_token_is_accepted_and_another_s_is_not() -> None:
    key = CsrfKey(SECRET)
    mine, theirs = "session-token-a", "session-token-b"
    assert key.accepts(mine, key.token_for(mine))
    assert not key.accepts(mine, key.token_for(theirs))
    assert not key.accepts(mine, None)
    assert not key.accepts(None, key.token_for(mine))
    assert not key.accepts(mine, "")


def test_a_token_made_with_another_signing_secret_is_not_accepted() -> None:
    session = "session-token-a"
    other = CsrfKey("another-signing-secret-of-thirty-two-characters")
    assert not CsrfKey(SECRET).accepts(session, other.token_for(session))


def test_the_sign_in_form_s_token_is_not_a_session_s() -> None:
    key = CsrfKey(SECRET)
    assert key.accepts_sign_in("nonce-1", key.sign_in_token("nonce-1"))
    assert not key.accepts_sign_in("nonce-2", key.sign_in_token("nonce-1"))
    assert not key.accepts_sign_in(None, key.sign_in_token("nonce-1"))
    # A session that happened to equal a nonce still has a token of its own.
    assert not key.accepts("nonce-1", key.sign_in_token("nonce-1"))
