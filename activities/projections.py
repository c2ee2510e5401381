"""Projections: read models derived from the events alone.

Two kinds of rows:
- rows that follow the *state* (``placements``, ``open_deadlines``, the snapshot) are rewritten
  from the folded state after each append;
- rows that record single *events* (``escalations`` and who took them, ``missing_episodes``,
  ``visitors``) are
  written by the projector ``event_rows`` picks for the event's class. A new event type adds
  one function and one case there.

Every value is taken from the events (times are event times, never the clock), so
``activities.rebuild`` gives exactly the rows the appends left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, ValidationError

from safeside.contracts.activities import StoredEvent
from safeside.db import Connection, Pool
from workflows.domain.deadlines import Deadline, due
from workflows.domain.events import EscalationAcknowledged, EscalationRaised, PlacementEvent
from workflows.domain.policy import Policy
from workflows.domain.protection_events import (
    ChildReturned,
    MissingReported,
    ReturnInterviewHeld,
    UnverifiedVisitAttempted,
    VisitorProposed,
    VisitorVerified,
    VisitRecorded,
)
from workflows.domain.state import PlacementState

# Derived from the events; the outbox (notifications) is not, so it is never rebuilt.
# The snapshots come first: an append reads its snapshot before it writes anything, so a
# rebuild that locks the snapshots first can never hold a table an append is waiting for.
PROJECTION_TABLES = (
    "placement_snapshots",
    "open_deadlines",
    "placements",
    "escalations",
    "missing_episodes",
    "visitors",
)


@dataclass(frozen=True)
class RowWrite:
    statement: str
    args: tuple[object, ...]


def _escalation_rows(event: EscalationRaised) -> list[RowWrite]:
    return [
        RowWrite(
            """INSERT INTO escalations (stream_id, event_version, deadline_id, kind, step_index,
                                        step_name, notify_role, due_at, raised_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
            (
                event.stream_id,
                event.version,
                event.deadline_id,
                event.kind.value,
                event.step_index,
                event.step_name,
                event.notify_role.value,
                event.due_at,
                event.occurred_at,
            ),
        )
    ]


def _escalation_acknowledged_rows(event: EscalationAcknowledged) -> list[RowWrite]:
    """The manager who took the escalation (the event's actor), and when."""
    return [
        RowWrite(
            """UPDATE escalations SET acknowledged_at = $4, acknowledged_by_role = $5,
                                      acknowledged_by_ref = $6, acknowledged_version = $7
                WHERE stream_id = $1 AND deadline_id = $2 AND step_index = $3""",
            (
                event.stream_id,
                event.deadline_id,
                event.step_index,
                event.occurred_at,
                event.actor.role.value,
                event.actor.reference,
                event.version,
            ),
        )
    ]


# SSDA903 codes: the table keeps 'missing' (M) and 'away' (A).
_EPISODE_KINDS = {"missing": "missing", "away_without_authorisation": "away"}


def _missing_reported_rows(event: MissingReported) -> list[RowWrite]:
    """A new episode. The last-seen place and circumstances are not projected: they stay in
    the event, for the police."""
    return [
        RowWrite(
            """INSERT INTO missing_episodes (stream_id, episode_id, kind, started_at,
                                             started_version, last_seen_at, police_risk_grade)
               VALUES ($1, $2, $3, $4, $5, $6, $7)""",
            (
                event.stream_id,
                event.episode_id,
                _EPISODE_KINDS[event.kind.value],
                event.occurred_at,
                event.version,
                event.last_seen_at,
                None if event.police_risk_grade is None else event.police_risk_grade.value,
            ),
        )
    ]


def _child_returned_rows(event: ChildReturned) -> list[RowWrite]:
    """The episode ends; where the child was found is not projected."""
    return [
        RowWrite(
            """UPDATE missing_episodes SET ended_at = $3, ended_version = $4
                WHERE stream_id = $1 AND episode_id = $2""",
            (event.stream_id, event.episode_id, event.returned_at, event.version),
        )
    ]


def _return_interview_rows(event: ReturnInterviewHeld) -> list[RowWrite]:
    return [
        RowWrite(
            """UPDATE missing_episodes SET return_interview_held_at = $3
                WHERE stream_id = $1 AND episode_id = $2""",
            (event.stream_id, event.episode_id, event.held_at),
        )
    ]


def _visitor_proposed_rows(event: VisitorProposed) -> list[RowWrite]:
    # A visitor turned away before being proposed already has a row.
    return [
        RowWrite(
            """INSERT INTO visitors (stream_id, visitor_ref, status, proposed_at,
                                     stated_relationship)
               VALUES ($1, $2, 'pending', $3, $4)
               ON CONFLICT (stream_id, visitor_ref) DO UPDATE
                   SET proposed_at = EXCLUDED.proposed_at,
                       stated_relationship = EXCLUDED.stated_relationship""",
            (
                event.stream_id,
                event.visitor_reference,
                event.occurred_at,
                event.stated_relationship,
            ),
        )
    ]


def _visitor_verified_rows(event: VisitorVerified) -> list[RowWrite]:
    """The deciding social worker is the event's actor."""
    return [
        RowWrite(
            """UPDATE visitors SET status = 'verified', decided_at = $3, decided_by_ref = $4
                WHERE stream_id = $1 AND visitor_ref = $2""",
            (event.stream_id, event.visitor_reference, event.interviewed_at, event.actor.reference),
        )
    ]


def _visit_rows(event: VisitRecorded) -> list[RowWrite]:
    return [
        RowWrite(
            """UPDATE visitors SET visits = visits + 1,
                                   last_visit_at = greatest(last_visit_at, $3)
                WHERE stream_id = $1 AND visitor_ref = $2""",
            (event.stream_id, event.visitor_reference, event.visited_at),
        )
    ]


def _turned_away_rows(event: UnverifiedVisitAttempted) -> list[RowWrite]:
    return [
        RowWrite(
            """INSERT INTO visitors (stream_id, visitor_ref, status, turned_away,
                                     last_turned_away_at)
               VALUES ($1, $2, 'pending', 1, $3)
               ON CONFLICT (stream_id, visitor_ref) DO UPDATE
                   SET turned_away = visitors.turned_away + 1,
                       last_turned_away_at = greatest(visitors.last_turned_away_at, $3)""",
            (event.stream_id, event.visitor_reference, event.attempted_at),
        )
    ]


def event_rows(event: PlacementEvent) -> list[RowWrite]:
    """The rows that record this one event (most have none: the state's rows say it)."""
    match event:
        case EscalationRaised():
            return _escalation_rows(event)
        case EscalationAcknowledged():
            return _escalation_acknowledged_rows(event)
        case MissingReported():
            return _missing_reported_rows(event)
        case ChildReturned():
            return _child_returned_rows(event)
        case ReturnInterviewHeld():
            return _return_interview_rows(event)
        case VisitorProposed():
            return _visitor_proposed_rows(event)
        case VisitorVerified():
            return _visitor_verified_rows(event)
        case VisitRecorded():
            return _visit_rows(event)
        case UnverifiedVisitAttempted():
            return _turned_away_rows(event)
        case _:
            return []


def open_deadline_row(stream_id: str, deadline: Deadline) -> tuple[object, ...]:
    return (
        stream_id,
        deadline.deadline_id,
        deadline.kind.value,
        deadline.requirement,
        deadline.due_at,
        deadline.responsible_role.value,
        deadline.next_step_index,
        deadline.next_step_name,
        deadline.next_step_at,
        deadline.watch,
    )


async def load_snapshot(con: Connection, stream_id: str) -> PlacementState | None:
    """The saved state, or None when there is none or it no longer reads as a state (a
    snapshot is only a cache: the caller refolds from the events)."""
    saved = await con.fetchval(
        "SELECT state FROM placement_snapshots WHERE stream_id = $1", stream_id
    )
    if saved is None:
        return None
    try:
        return PlacementState.model_validate(saved)
    except ValidationError:
        return None


async def project(
    con: Connection, state: PlacementState, new_events: Sequence[PlacementEvent], policy: Policy
) -> None:
    """Bring one stream's projections up to ``state``, which already includes ``new_events``
    (at least one, in version order)."""
    if not new_events:
        return
    for event in new_events:
        for write in event_rows(event):
            await con.execute(write.statement, *write.args)
    last_event_at = new_events[-1].occurred_at
    await con.execute(
        """INSERT INTO placement_snapshots (stream_id, version, state) VALUES ($1, $2, $3)
           ON CONFLICT (stream_id) DO UPDATE SET version = $2, state = $3""",
        state.stream_id,
        state.version,
        state.model_dump(mode="json"),
    )
    # `now` only sets each deadline's overdue flag, which is not stored: overdue is decided
    # when the rows are read. The placement's own policy (the one its workflow runs under);
    # `policy`, the one in force, only for a placement started before the policy was recorded.
    deadlines = due(state, last_event_at, state.policy or policy)
    # A watch (a missing episode) is due from the moment it starts: not a deadline to meet.
    next_deadline_at = min((d.due_at for d in deadlines if not d.watch), default=None)
    facts = state.facts
    # The case reference and date of birth are for the SSDA903 return (``0014``): identifying,
    # read only through ``starter.services.ssda903``.
    await con.execute(
        """INSERT INTO placements (stream_id, unit_id, status, risk_level, missing,
                                   next_deadline_at, version, updated_at, case_reference,
                                   date_of_birth)
           VALUES ($1, $2, $3, $4,
                   EXISTS (SELECT 1 FROM missing_episodes
                            WHERE stream_id = $1 AND kind = 'missing' AND ended_at IS NULL),
                   $5, $6, $7, $8, $9)
           ON CONFLICT (stream_id) DO UPDATE SET
               unit_id = EXCLUDED.unit_id, status = EXCLUDED.status,
               risk_level = EXCLUDED.risk_level, missing = EXCLUDED.missing,
               next_deadline_at = EXCLUDED.next_deadline_at, version = EXCLUDED.version,
               updated_at = EXCLUDED.updated_at, case_reference = EXCLUDED.case_reference,
               date_of_birth = EXCLUDED.date_of_birth""",
        state.stream_id,
        None if facts is None else facts.unit_id,
        state.status.value,
        None if state.risk_level is None else state.risk_level.value,
        next_deadline_at,
        state.version,
        last_event_at,
        None if facts is None else facts.case_reference,
        None if facts is None else facts.date_of_birth,
    )
    await con.execute("DELETE FROM open_deadlines WHERE stream_id = $1", state.stream_id)
    await con.executemany(
        """INSERT INTO open_deadlines (stream_id, deadline_id, kind, requirement, due_at,
                                       responsible_role, next_step_index, next_step_name,
                                       next_step_at, watch)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
        [open_deadline_row(state.stream_id, deadline) for deadline in deadlines],
    )


# The columns of an events row that make a StoredEvent (``StoredEvent.model_validate``).
STORED_EVENT_COLUMNS = (
    "stream_id, version, event_type, schema_version, occurred_at, actor_role, actor_ref, payload"
)


async def read_stored_events(
    con: Connection, stream_id: str, after_version: int = 0, limit: int | None = None
) -> list[StoredEvent]:
    rows = await con.fetch(
        f"""SELECT {STORED_EVENT_COLUMNS}
              FROM events WHERE stream_id = $1 AND version > $2
             ORDER BY version LIMIT $3""",
        stream_id,
        after_version,
        limit,
    )
    return [StoredEvent.model_validate(dict(row)) for row in rows]


class PlacementOverview(BaseModel):
    """A placement as the handover and the dashboard list it (R16)."""

    model_config = ConfigDict(frozen=True)

    stream_id: str
    unit_id: str | None
    status: str
    risk_level: str | None
    missing: bool
    next_deadline_at: datetime | None
    version: int
    updated_at: datetime
    overdue_count: int


async def placement_overview(pool: Pool, stream_id: str) -> PlacementOverview | None:
    """The placement's row with its overdue count as of now (never stored: it would go stale)."""
    async with pool.acquire() as con:
        row = await con.fetchrow("SELECT * FROM placement_overview WHERE stream_id = $1", stream_id)
    return None if row is None else PlacementOverview.model_validate(dict(row))
