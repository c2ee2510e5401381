"""Domain events and notices in the shapes the activities store: pure conversions."""

from __future__ import annotations

from activities.contracts import OutboxMessage, StoredEvent
from workflows.domain.events import PlacementEvent, event_to_stored
from workflows.domain.notices import notices_for
from workflows.domain.state import PlacementState


def to_stored(event: PlacementEvent) -> StoredEvent:
    type_name, schema_version, payload = event_to_stored(event)
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


def notifications_for(state_after: PlacementState, event: PlacementEvent) -> list[OutboxMessage]:
    """The outbox rows an event causes, keyed on placement id, event version and recipient."""
    return [
        OutboxMessage(
            idempotency_key=OutboxMessage.key_for(event.stream_id, event.version, notice.recipient),
            stream_id=event.stream_id,
            event_version=event.version,
            recipient=str(notice.recipient),
            purpose=notice.purpose,
        )
        for notice in notices_for(state_after, event)
    ]
