-- The audit trail: every domain event of every placement, append-only, kept for 75 years
-- (Children's Homes Regulations 2015 reg 36). Rows are never updated or deleted.
CREATE TABLE events (
    stream_id      text        NOT NULL,
    version        integer     NOT NULL CHECK (version >= 1),
    event_type     text        NOT NULL,
    schema_version integer     NOT NULL CHECK (schema_version >= 1),
    occurred_at    timestamptz NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    actor_role     text        NOT NULL,
    actor_ref      text        NOT NULL,
    payload        jsonb       NOT NULL,
    position       bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    PRIMARY KEY (stream_id, version)
);

CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on events is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();

CREATE TRIGGER events_no_truncate
    BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();
