-- The web page's sessions, kept on the server (starter.services.web_sessions): the browser
-- holds only a random value in an HttpOnly cookie, stored here as its SHA-256, never itself.
-- A session ends when its holder signs out (`ended_at`), after 30 minutes without a request
-- (`last_seen_at`) or 12 hours after it opened (`expires_at`), whichever comes first; the
-- limits are settings. The CSRF token of its forms is random, not derived from any secret.
-- Nothing here names a person: a staff reference is opaque.
CREATE TABLE web_sessions (
    session_hash  bytea       PRIMARY KEY,
    staff_ref     text        NOT NULL,
    role          text        NOT NULL,
    csrf_token    text        NOT NULL,
    opened_at     timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    ended_at      timestamptz
);
CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);

-- Sign-ins under way at the identity provider: the state sent there (as its SHA-256), the
-- browser that started it (the SHA-256 of its sign-in cookie), and what the answer is checked
-- with (the nonce, the PKCE verifier), with the page to return to. An answer is taken once:
-- `used_at` stays set, so a replayed answer is refused until the row goes (after a day).
CREATE TABLE sign_in_attempts (
    state_hash     bytea       PRIMARY KEY,
    browser_hash   bytea       NOT NULL,
    nonce          text        NOT NULL,
    code_verifier  text        NOT NULL,
    return_to      text        NOT NULL,
    started_at     timestamptz NOT NULL DEFAULT now(),
    used_at        timestamptz
);
CREATE INDEX sign_in_attempts_by_start ON sign_in_attempts (started_at);
