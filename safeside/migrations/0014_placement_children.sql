-- The SSDA903 Missing table (issue 22) names each child as the placing authority knows them
-- (the case reference) with their date of birth, beside each missing or away episode: both
-- start facts, kept on the placement's row of the projections like its unit, so the return
-- is one join. Identifying: read only through `starter.services.ssda903`, which lists only the
-- children its reader works with, logs each and redacts by role.
ALTER TABLE placements
    ADD COLUMN case_reference text,
    ADD COLUMN date_of_birth  date;

-- Placements already projected: the case reference from their snapshot (the folded state,
-- written in the same transaction as each append). None has a date of birth yet: it was not
-- asked before this release. `safeside db rebuild-projections` gives the same rows.
UPDATE placements p
   SET case_reference = s.state #>> '{facts,case_reference}'
  FROM placement_snapshots s
 WHERE s.stream_id = p.stream_id;
