-- Placement protections (issue 5): missing episodes (R5) and visitors (R2) as their events
-- fill them. Only times, grades and opaque references: where a child was last seen, where they
-- are or where they were found stays in `events` (and reaches the police only), never here.
-- Every value is derived from the events, so `rebuild-projections` gives the same rows.

ALTER TABLE missing_episodes
    ADD COLUMN last_seen_at             timestamptz,
    ADD COLUMN police_risk_grade        text
        CHECK (police_risk_grade IN ('no_apparent_risk', 'low', 'medium', 'high')),
    ADD COLUMN return_interview_held_at timestamptz;

-- A visitor row also records someone never proposed who came and was turned away, so the
-- Schedule 4 record of visitors shows them: such a row has no proposal time.
ALTER TABLE visitors
    ALTER COLUMN proposed_at DROP NOT NULL,
    ADD COLUMN stated_relationship text,
    ADD COLUMN visits              integer NOT NULL DEFAULT 0 CHECK (visits >= 0),
    ADD COLUMN last_visit_at       timestamptz,
    ADD COLUMN turned_away         integer NOT NULL DEFAULT 0 CHECK (turned_away >= 0),
    ADD COLUMN last_turned_away_at timestamptz;
