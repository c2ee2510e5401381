-- Projections: read models kept current in the same transaction as each append, and rebuilt
-- from `events` alone by `safeside db rebuild-projections`. Every value here is derived from
-- the events (times are event times, never now()), so a rebuild gives identical rows.
-- The outbox (`notifications`) is the exception: its delivery status is not in the events,
-- so a rebuild leaves it alone.

-- The folded state of each placement at `version`: appends evolve it instead of refolding.
CREATE TABLE placement_snapshots (
    stream_id text    PRIMARY KEY,
    version   integer NOT NULL CHECK (version >= 1),
    state     jsonb   NOT NULL
);

CREATE TABLE placements (
    stream_id        text        PRIMARY KEY,
    unit_id          text,
    status           text        NOT NULL,
    risk_level       text,
    missing          boolean     NOT NULL DEFAULT false,
    next_deadline_at timestamptz,
    version          integer     NOT NULL CHECK (version >= 1),
    -- The time of the latest event: when the placement last changed.
    updated_at       timestamptz NOT NULL
);
CREATE INDEX placements_by_unit ON placements (unit_id, status);

-- Only the deadlines still running; a satisfied one disappears. Whether one is overdue is
-- decided when reading (due_at < now()), so no stored flag goes stale.
CREATE TABLE open_deadlines (
    stream_id         text        NOT NULL REFERENCES placements ON DELETE CASCADE,
    deadline_id       text        NOT NULL,
    kind              text        NOT NULL,
    requirement       text        NOT NULL,
    due_at            timestamptz NOT NULL,
    responsible_role  text        NOT NULL,
    next_step_index   integer,
    next_step_name    text,
    next_step_at      timestamptz,
    PRIMARY KEY (stream_id, deadline_id)
);
CREATE INDEX open_deadlines_by_due_at ON open_deadlines (due_at);

CREATE TABLE escalations (
    stream_id     text        NOT NULL,
    event_version integer     NOT NULL,
    deadline_id   text        NOT NULL,
    kind          text        NOT NULL,
    step_index    integer     NOT NULL,
    step_name     text        NOT NULL,
    notify_role   text        NOT NULL,
    due_at        timestamptz NOT NULL,
    raised_at     timestamptz NOT NULL,
    PRIMARY KEY (stream_id, event_version)
);
CREATE INDEX escalations_by_raised_at ON escalations (raised_at);

-- 'missing' (whereabouts unknown) or 'away' (away without authorisation, whereabouts known):
-- SSDA903 codes M and A.
CREATE TABLE missing_episodes (
    stream_id       text        NOT NULL,
    episode_id      text        NOT NULL,
    kind            text        NOT NULL CHECK (kind IN ('missing', 'away')),
    started_at      timestamptz NOT NULL,
    ended_at        timestamptz,
    started_version integer     NOT NULL,
    ended_version   integer,
    PRIMARY KEY (stream_id, episode_id)
);

-- Schedule 4 record of visitors; a visit waits for the social worker's verification (R2).
CREATE TABLE visitors (
    stream_id       text        NOT NULL,
    visitor_ref     text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('pending', 'verified', 'refused')),
    proposed_at     timestamptz NOT NULL,
    decided_at      timestamptz,
    decided_by_ref  text,
    PRIMARY KEY (stream_id, visitor_ref)
);

-- The outbox: written in the same transaction as the event that owes it, delivered later.
CREATE TABLE notifications (
    idempotency_key text        PRIMARY KEY,
    stream_id       text        NOT NULL,
    event_version   integer     NOT NULL CHECK (event_version >= 1),
    recipient       text        NOT NULL,
    purpose         text        NOT NULL,
    content         jsonb       NOT NULL,
    status          text        NOT NULL DEFAULT 'pending'
                                CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    CHECK ((status = 'delivered') = (delivered_at IS NOT NULL))
);
CREATE INDEX notifications_not_delivered ON notifications (created_at)
    WHERE status <> 'delivered';
CREATE INDEX notifications_by_stream ON notifications (stream_id, event_version);

-- The placements with their overdue count, computed as it is read.
CREATE VIEW placement_overview AS
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
         WHERE d.stream_id = p.stream_id AND d.due_at < now())::integer AS overdue_count
  FROM placements p;
