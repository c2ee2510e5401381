-- The organisation as data: who works where, and with which children (need to know).
--
-- Every change is an event with its actor in `organisation_events` (append-only, like the
-- audit trail); the tables after it are what those events add up to now, written in the same
-- transaction. Units here are the organisation's (an opaque id and a display name shown only
-- to the unit's own staff); `units` (0005) is the unit workflow's projection.
CREATE TABLE organisation_events (
    position     bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    actor_role   text        NOT NULL,
    actor_ref    text        NOT NULL,
    event_type   text        NOT NULL,
    payload      jsonb       NOT NULL
);

CREATE FUNCTION organisation_events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the organisation''s events are append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER organisation_events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON organisation_events
    FOR EACH ROW EXECUTE FUNCTION organisation_events_are_append_only();

CREATE TRIGGER organisation_events_no_truncate
    BEFORE TRUNCATE ON organisation_events
    FOR EACH STATEMENT EXECUTE FUNCTION organisation_events_are_append_only();

CREATE TABLE org_units (
    unit_id       text        PRIMARY KEY,
    display_name  text        NOT NULL,
    created_at    timestamptz NOT NULL
);

-- The staff directory: an opaque staff reference (never a name) and the roles it may sign in
-- with.
CREATE TABLE staff (
    staff_ref  text        PRIMARY KEY,
    roles      text[]      NOT NULL,
    added_at   timestamptz NOT NULL
);

CREATE TABLE unit_memberships (
    staff_ref  text        NOT NULL REFERENCES staff (staff_ref),
    unit_id    text        NOT NULL REFERENCES org_units (unit_id),
    from_at    timestamptz NOT NULL,
    until_at   timestamptz,
    PRIMARY KEY (staff_ref, unit_id, from_at),
    CHECK (until_at IS NULL OR until_at > from_at)
);
CREATE INDEX unit_memberships_by_unit ON unit_memberships (unit_id);

-- Where each placement lives, known from its start (the projections follow a moment later).
CREATE TABLE placement_homes (
    placement_id  text        PRIMARY KEY,
    unit_id       text        NOT NULL,
    placed_at     timestamptz NOT NULL
);
CREATE INDEX placement_homes_by_unit ON placement_homes (unit_id);

-- Who is allocated to a placement: its social worker, its Independent Reviewing Officer, its
-- key worker. A change of allocation ends the current row and starts a new one.
CREATE TABLE allocations (
    placement_id  text        NOT NULL,
    role          text        NOT NULL,
    staff_ref     text        NOT NULL,
    from_at       timestamptz NOT NULL,
    until_at      timestamptz,
    PRIMARY KEY (placement_id, role, from_at)
);
CREATE INDEX allocations_by_staff ON allocations (staff_ref, role);

-- Out-of-hours cover: a manager opened a child outside their relationship, with a reason,
-- until a time. Every use is listed for the auditor.
CREATE TABLE break_glass (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    staff_ref     text        NOT NULL,
    role          text        NOT NULL,
    placement_id  text        NOT NULL,
    reason        text        NOT NULL,
    opened_at     timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL
);
CREATE INDEX break_glass_by_staff ON break_glass (staff_ref, placement_id, expires_at);

-- A read under break-glass carries its reason; a read of a unit's handover names the unit.
ALTER TABLE access_log ADD COLUMN break_glass_reason text;
ALTER TABLE access_log ADD COLUMN unit_id text;

-- Placements started before this migration: their home and social worker from what the
-- projections already hold.
INSERT INTO placement_homes (placement_id, unit_id, placed_at)
SELECT stream_id, unit_id, updated_at FROM placements WHERE unit_id IS NOT NULL
ON CONFLICT DO NOTHING;

INSERT INTO allocations (placement_id, role, staff_ref, from_at)
SELECT stream_id, 'social_worker', state -> 'facts' ->> 'social_worker_reference', now()
  FROM placement_snapshots
 WHERE state -> 'facts' ->> 'social_worker_reference' IS NOT NULL
ON CONFLICT DO NOTHING;
