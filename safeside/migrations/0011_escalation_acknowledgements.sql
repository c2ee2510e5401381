-- Escalations a manager takes ("I am dealing with this", issue 20): who took each raised step
-- (their role and opaque staff reference, never a name), when, and the event that says so.
-- NULL until someone takes it; the Today page lists those first.
ALTER TABLE escalations
    ADD COLUMN acknowledged_at      timestamptz,
    ADD COLUMN acknowledged_by_role text,
    ADD COLUMN acknowledged_by_ref  text,
    ADD COLUMN acknowledged_version integer;
CREATE INDEX escalations_by_step ON escalations (stream_id, deadline_id, step_index);
