"""Unit events and notices in the shapes the activities store: pure conversions."""

from __future__ import annotations

from activities.contracts import OutboxMessage, StoredEvent
from workflows.domain.unit.events import UnitEvent, unit_event_to_stored
from workflows.domain.unit.notices import unit_notices_for


def unit_to_stored(event: UnitEvent) -> StoredEvent:
    type_name, schema_version, payload = unit_event_to_stored(event)
    return StoredEvent(
        stream_id=event.stream_id,
        version=event.version,
        event_type=type_name,
        schema_version=schema_version,
        occurred_at=event.occurred_at,
        actor_role=str(event.actor.role),
        actor_ref=event.actor.reference,
        payload=payload,
    )


def unit_notifications_for(event: UnitEvent) -> list[OutboxMessage]:
    """Outbox rows keyed on the unit stream id, event version and recipient."""
    return [
        OutboxMessage(
            idempotency_key=OutboxMessage.key_for(event.stream_id, event.version, notice.recipient),
            stream_id=event.stream_id,
            event_version=event.version,
            recipient=str(notice.recipient),
            purpose=notice.purpose,
        )
        for notice in unit_notices_for(event)
    ]
