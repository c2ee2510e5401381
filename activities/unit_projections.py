"""The unit's projections (``0005_units.sql``): its snapshot, its row in ``units`` and one row
per whereabouts check in ``unit_checks``, all derived from the unit's events alone. Notices
owed by unit events are built here too, from the unit's state: never where a child is."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeAlias

import asyncpg
from pydantic import ValidationError

from activities.contracts import OutboxMessage, StoredEvent
from activities.messages import NotificationContent
from workflows.domain.unit.due import unit_check_due
from workflows.domain.unit.events import UnitEvent, unit_event_from_stored
from workflows.domain.unit.policy import UnitPolicy
from workflows.domain.unit.state import UnitState, evolve_unit, initial_unit_state

Connection: TypeAlias = "asyncpg.Connection[Any] | asyncpg.pool.PoolConnectionProxy[Any]"

UNIT_PROJECTION_TABLES = ("unit_snapshots", "units", "unit_checks")


def from_stored_unit_event(stored: StoredEvent) -> UnitEvent:
    header = {
        "stream_id": stored.stream_id,
        "version": stored.version,
        "occurred_at": stored.occurred_at,
        "actor": {"role": stored.actor_role, "reference": stored.actor_ref},
    }
    event = unit_event_from_stored(
        stored.event_type, stored.schema_version, header | stored.payload
    )
    if event.stream_id != stored.stream_id or event.version != stored.version:
        raise ValueError(
            f"event {stored.version} of {stored.stream_id}: its payload disagrees with its "
            "stream id or version"
        )
    return event


def fold_unit_stored(stream_id: str, events: Sequence[StoredEvent]) -> UnitState:
    state = initial_unit_state(stream_id)
    for event in events:
        state = evolve_unit(state, from_stored_unit_event(event))
    return state


def evolve_unit_stored(state: UnitState, event: StoredEvent) -> UnitState:
    return evolve_unit(state, from_stored_unit_event(event))


async def load_unit_snapshot(con: Connection, stream_id: str) -> UnitState | None:
    saved = await con.fetchval("SELECT state FROM unit_snapshots WHERE stream_id = $1", stream_id)
    if saved is None:
        return None
    try:
        return UnitState.model_validate(saved)
    except ValidationError:
        return None  # only a cache: the caller refolds from the events


async def project_unit(
    con: Connection, state: UnitState, new_events: Sequence[StoredEvent], policy: UnitPolicy
) -> None:
    """Bring one unit's projections up to ``state``, which already includes ``new_events``."""
    if not new_events or state.unit_id is None:
        return
    await con.executemany(
        """INSERT INTO unit_checks (stream_id, check_number, checked_at, recorded_version,
                                    recorded_by_ref, seen, away_authorised, not_seen)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        [_check_row(event) for event in new_events if event.event_type == "unit_check_recorded"],
    )
    await con.execute(
        """INSERT INTO unit_snapshots (stream_id, version, state) VALUES ($1, $2, $3)
           ON CONFLICT (stream_id) DO UPDATE SET version = $2, state = $3""",
        state.stream_id,
        state.version,
        state.model_dump(mode="json"),
    )
    await con.execute(
        """INSERT INTO units (unit_id, stream_id, residents, checks_recorded, last_check_at,
                              next_check_due_at, last_house_meeting_at, last_building_check_at,
                              last_handover_acknowledged_at, version, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (unit_id) DO UPDATE SET
               residents = EXCLUDED.residents, checks_recorded = EXCLUDED.checks_recorded,
               last_check_at = EXCLUDED.last_check_at,
               next_check_due_at = EXCLUDED.next_check_due_at,
               last_house_meeting_at = EXCLUDED.last_house_meeting_at,
               last_building_check_at = EXCLUDED.last_building_check_at,
               last_handover_acknowledged_at = EXCLUDED.last_handover_acknowledged_at,
               version = EXCLUDED.version, updated_at = EXCLUDED.updated_at""",
        state.unit_id,
        state.stream_id,
        len(state.residents),
        state.checks_recorded,
        state.last_check_at,
        unit_check_due(state, policy),
        state.last_house_meeting_at,
        state.last_building_check_at,
        state.last_handover_acknowledged_at,
        state.version,
        new_events[-1].occurred_at,
    )


def _check_row(event: StoredEvent) -> tuple[object, ...]:
    whereabouts = [str(entry["whereabouts"]) for entry in event.payload["entries"]]
    return (
        event.stream_id,
        int(event.payload["check_number"]),
        datetime.fromisoformat(str(event.payload["checked_at"])),
        event.version,
        event.actor_ref,
        whereabouts.count("seen"),
        whereabouts.count("away_authorised"),
        whereabouts.count("not_seen"),
    )


_ESCALATION_FIELDS = ("deadline_id", "kind", "due_at", "step_name", "notify_role")


def unit_content(
    state: UnitState, event: StoredEvent, message: OutboxMessage
) -> NotificationContent:
    """The message for a unit notice: the escalation, or the concerns of a building check
    (category, note and the child's placement id; the unit's location is never in it)."""
    if event.event_type == "unit_escalation_raised":
        details: dict[str, Any] = {name: event.payload.get(name) for name in _ESCALATION_FIELDS}
    else:
        details = {
            "checked_at": event.payload.get("checked_at"),
            "concerns": event.payload.get("concerns", []),
        }
    return NotificationContent(
        subject=f"Safeside: {message.purpose.replace('_', ' ')} - unit {state.unit_id}",
        # A unit notice concerns the unit's stream, not one placement.
        placement_id=state.stream_id,
        case_reference=None,
        unit_id=state.unit_id,
        recipient=message.recipient,
        purpose=message.purpose,
        event_type=event.event_type,
        event_version=event.version,
        occurred_at=event.occurred_at,
        risk_level=None,
        details=details,
    )


async def rebuild_unit_projections(con: Connection, policy: UnitPolicy) -> int:
    """Refold every unit stream into the (already emptied) unit projections; return how many."""
    stream_ids = [
        row["stream_id"]
        for row in await con.fetch(
            "SELECT DISTINCT stream_id FROM events WHERE stream_id LIKE 'unit:%' ORDER BY 1"
        )
    ]
    for stream_id in stream_ids:
        rows = await con.fetch(
            """SELECT stream_id, version, event_type, schema_version, occurred_at, actor_role,
                      actor_ref, payload
                 FROM events WHERE stream_id = $1 ORDER BY version""",
            stream_id,
        )
        events = [StoredEvent.model_validate(dict(row)) for row in rows]
        await project_unit(con, fold_unit_stored(stream_id, events), events, policy)
    return len(stream_ids)
