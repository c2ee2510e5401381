"""The unit's projections (``0005_units.sql``): its snapshot, its row in ``units`` and one row
per whereabouts check in ``unit_checks``, all derived from the unit's events alone. Notices
owed by unit events are built here too, from the unit's state: never where a child is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from activities.messages import NotificationContent
from safeside.contracts.activities import OutboxMessage
from safeside.db import Connection
from workflows.domain.unit.due import unit_check_due
from workflows.domain.unit.events import (
    BuildingCheckRecorded,
    UnitCheckRecorded,
    UnitEscalationRaised,
    UnitEvent,
    UnitNotificationFailed,
    Whereabouts,
)
from workflows.domain.unit.policy import UnitPolicy
from workflows.domain.unit.state import UnitState

UNIT_PROJECTION_TABLES = ("unit_snapshots", "units", "unit_checks")


async def load_unit_snapshot(con: Connection, stream_id: str) -> UnitState | None:
    saved = await con.fetchval("SELECT state FROM unit_snapshots WHERE stream_id = $1", stream_id)
    if saved is None:
        return None
    try:
        return UnitState.model_validate(saved)
    except ValidationError:
        return None  # only a cache: the caller refolds from the events


async def project_unit(
    con: Connection, state: UnitState, new_events: Sequence[UnitEvent], policy: UnitPolicy
) -> None:
    """Bring one unit's projections up to ``state``, which already includes ``new_events``."""
    if not new_events or state.unit_id is None:
        return
    await con.executemany(
        """INSERT INTO unit_checks (stream_id, check_number, checked_at, recorded_version,
                                    recorded_by_ref, seen, away_authorised, not_seen)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        [_check_row(event) for event in new_events if isinstance(event, UnitCheckRecorded)],
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


def _check_row(event: UnitCheckRecorded) -> tuple[object, ...]:
    whereabouts = [entry.whereabouts for entry in event.entries]
    return (
        event.stream_id,
        event.check_number,
        event.checked_at,
        event.version,
        event.actor.reference,
        whereabouts.count(Whereabouts.seen),
        whereabouts.count(Whereabouts.away_authorised),
        whereabouts.count(Whereabouts.not_seen),
    )


def unit_content(state: UnitState, event: UnitEvent, message: OutboxMessage) -> NotificationContent:
    """The message for a unit notice: the escalation, the concerns of a building check
    (category, note and the child's placement id; the unit's location is never in it), or the
    notice that was given up on."""
    return NotificationContent(
        subject=f"Safeside: {message.purpose.replace('_', ' ')} - unit {state.unit_id}",
        # A unit notice concerns the unit's stream, not one placement.
        placement_id=state.stream_id,
        case_reference=None,
        unit_id=state.unit_id,
        recipient=message.recipient,
        purpose=message.purpose,
        event_type=event.type,
        event_version=event.version,
        occurred_at=event.occurred_at,
        risk_level=None,
        details=_unit_details(event),
    )


def _unit_details(event: UnitEvent) -> dict[str, Any]:
    match event:
        case UnitEscalationRaised():
            return event.model_dump(
                mode="json", include={"deadline_id", "kind", "due_at", "step_name", "notify_role"}
            )
        case BuildingCheckRecorded():
            return event.model_dump(mode="json", include={"checked_at", "concerns"})
        case UnitNotificationFailed():
            return event.model_dump(mode="json", include={"recipient", "purpose", "about_version"})
        case _:
            return {}
