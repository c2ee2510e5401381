-- A watch (a missing episode, R5) is "due" from the report until the child returns: nobody can
-- be late for it, so no list or count of overdue deadlines includes it. Which clocks are
-- watches is the placement's policy (`expires = false`), so the projection stores it per row.
ALTER TABLE open_deadlines ADD COLUMN watch boolean NOT NULL DEFAULT false;
UPDATE open_deadlines SET watch = true WHERE kind = 'missing_episode';

CREATE OR REPLACE VIEW placement_overview AS
SELECT p.stream_id,
       p.unit_id,
       p.status,
       p.risk_level,
       p.missing,
       p.next_deadline_at,
       p.version,
       p.updated_at,
       (SELECT count(*)
          FROM open_deadlines d
         WHERE d.stream_id = p.stream_id AND d.due_at < now() AND NOT d.watch)::integer
           AS overdue_count
  FROM placements p;
