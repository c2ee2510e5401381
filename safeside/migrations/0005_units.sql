-- Residential units (issue 6): the unit's own stream ("unit:<unit id>") lives in `events`
-- beside the placements'. These projections are derived from those events alone, so
-- `rebuild-projections` gives the same rows. No row says where an absent child is: that
-- reference stays in the unit check's event.

-- The folded state of each unit at `version`: appends evolve it instead of refolding.
CREATE TABLE unit_snapshots (
    stream_id text    PRIMARY KEY,
    version   integer NOT NULL CHECK (version >= 1),
    state     jsonb   NOT NULL
);

CREATE TABLE units (
    unit_id                       text        PRIMARY KEY,
    stream_id                     text        NOT NULL UNIQUE,
    residents                     integer     NOT NULL CHECK (residents >= 0),
    checks_recorded               integer     NOT NULL DEFAULT 0,
    last_check_at                 timestamptz,
    next_check_due_at             timestamptz,
    last_house_meeting_at         timestamptz,
    last_building_check_at        timestamptz,
    last_handover_acknowledged_at timestamptz,
    version                       integer     NOT NULL CHECK (version >= 1),
    updated_at                    timestamptz NOT NULL
);

-- One row per whereabouts check (R4): counts only, so an inspector sees the cadence kept.
CREATE TABLE unit_checks (
    stream_id        text        NOT NULL,
    check_number     integer     NOT NULL CHECK (check_number >= 1),
    checked_at       timestamptz NOT NULL,
    recorded_version integer     NOT NULL,
    recorded_by_ref  text        NOT NULL,
    seen             integer     NOT NULL DEFAULT 0,
    away_authorised  integer     NOT NULL DEFAULT 0,
    not_seen         integer     NOT NULL DEFAULT 0,
    PRIMARY KEY (stream_id, check_number)
);
CREATE INDEX unit_checks_by_checked_at ON unit_checks (stream_id, checked_at);
