-- Every read of a placement through the API (live state, deadlines, handover, audit trail) and
-- every decode by the codec endpoint: who, in which role, read what, of which placement, when,
-- and whether the permission table allowed it. Append-only, like the audit trail.
CREATE TABLE access_log (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    read_at       timestamptz NOT NULL DEFAULT now(),
    subject       text        NOT NULL,
    role          text        NOT NULL,
    what          text        NOT NULL,
    placement_id  text,
    allowed       boolean     NOT NULL
);
-- An auditor's questions: who read this placement; what did this person read.
CREATE INDEX access_log_by_placement ON access_log (placement_id, id);
CREATE INDEX access_log_by_subject ON access_log (subject, id);

CREATE FUNCTION access_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only: % on access_log is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER access_log_no_update_or_delete
    BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION access_log_is_append_only();

CREATE TRIGGER access_log_no_truncate
    BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION access_log_is_append_only();
