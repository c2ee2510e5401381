-- Sessions ended on the server: the id (`jti`) of every token whose holder signed out. Every
-- check of a token (the API's bearer token, the web page's session cookie) refuses one listed
-- here, so a copied cookie stops working once its owner signs out. A row is kept only while
-- its token could still be accepted: after `expires_at` the token is refused for its expiry
-- anyway, and the row may be pruned. Nothing here names a person: token ids are random.
CREATE TABLE ended_sessions (
    jti         text        PRIMARY KEY,
    ended_at    timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX ended_sessions_by_expiry ON ended_sessions (expires_at);
