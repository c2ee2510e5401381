-- The HTTP API: idempotency keys, and the indexes its lists page through.

-- One row per Idempotency-Key a client sent (per route). `request_hash` is a hash of the
-- validated request, so the same key with another request is told apart from a retry;
-- `status_code` stays NULL while the first request is still being served.
CREATE TABLE api_idempotency_keys (
    route         text        NOT NULL,
    key           text        NOT NULL,
    request_hash  text        NOT NULL,
    status_code   integer,
    response      jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    completed_at  timestamptz,
    PRIMARY KEY (route, key),
    CHECK ((status_code IS NULL) = (completed_at IS NULL))
);
-- For pruning old keys: a retry comes within minutes, not months.
CREATE INDEX api_idempotency_keys_by_created_at ON api_idempotency_keys (created_at);

-- GET /placements?unit=U pages by placement id within a unit.
CREATE INDEX placements_by_unit_and_id ON placements (unit_id, stream_id);
-- GET /placements?missing=true: few placements are missing at once, so a partial index.
CREATE INDEX placements_missing_by_id ON placements (stream_id) WHERE missing;
-- GET /deadlines pages by (due_at, stream_id, deadline_id), in that order.
CREATE INDEX open_deadlines_by_due_at_and_key ON open_deadlines (due_at, stream_id, deadline_id);
