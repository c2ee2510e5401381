"""Notifications to partner agencies and roles (R3, R5, R7, R14): content and delivery.

The content is built from the placement's state when the event is appended, and kept on the
outbox row, so a delivery months later sends what was true then. It carries opaque
references only (case reference, placement id, unit id, deadline kind and due time, risk
level). Content for a purpose with more to say is built by the function registered for that
purpose in ``CONTENT_BUILDERS``: the Missing Children's Proforma for the police (R5) goes there.

Delivery is at-least-once with a key: the outbox row is locked while its message is sent, a
delivered row is never sent again, and every channel hands the receiver the idempotency key
(Message-ID, ``Idempotency-Key``) so the rare resend after a lost commit can be recognised.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import asyncpg

from activities.channels import ChannelRouter
from activities.contracts import (
    DeliveryRequest,
    DeliveryResult,
    MarkFailedRequest,
    MarkFailedResult,
    OutboxMessage,
    StoredEvent,
)
from activities.errors import ChannelError, DeliveryFailed, NotificationNotFound, StoreUnavailable
from activities.messages import Notification, NotificationContent
from safeside.db import Pool
from safeside.log import get_logger
from workflows.domain import PlacementState

log = get_logger(__name__)


ContentDetails = Callable[[PlacementState, StoredEvent], dict[str, Any]]

_DEADLINE_FIELDS = ("deadline_id", "kind", "due_at")


def _deadline_details(state: PlacementState, event: StoredEvent) -> dict[str, Any]:
    return {field: event.payload.get(field) for field in _DEADLINE_FIELDS}


def _escalation_details(state: PlacementState, event: StoredEvent) -> dict[str, Any]:
    return _deadline_details(state, event) | {
        "step_name": event.payload.get("step_name"),
        "notify_role": event.payload.get("notify_role"),
    }


def _risk_change_details(state: PlacementState, event: StoredEvent) -> dict[str, Any]:
    return {
        "from_level": event.payload.get("from_level"),
        "to_level": event.payload.get("to_level"),
    }


def _placement_details(state: PlacementState, event: StoredEvent) -> dict[str, Any]:
    facts = state.facts
    if facts is None:
        return {}
    return {
        "placing_authority": facts.placing_authority,
        "social_worker_reference": facts.social_worker_reference,
        "looked_after_since": facts.looked_after_since.isoformat(),
        "arrived_at": facts.arrived_at.isoformat(),
        "ukvi_relevant": facts.ukvi_relevant,
    }


def _interpreter_details(state: PlacementState, event: StoredEvent) -> dict[str, Any]:
    return {"language": event.payload.get("language")}


# purpose -> the details that purpose adds. A later issue registers "missing_reported" here
# with the fields of the Missing Children's Proforma (for the police only).
CONTENT_BUILDERS: dict[str, ContentDetails] = {
    "placement_started": _placement_details,
    "placement_ended": _placement_details,
    "interpreter_requested": _interpreter_details,
    "deadline_missed": _deadline_details,
    "escalation": _escalation_details,
    "risk_level_raised_to_high": _risk_change_details,
}


def build_content(
    state: PlacementState, event: StoredEvent, message: OutboxMessage
) -> NotificationContent:
    """The message for ``message.recipient``, from the state just after ``event``."""
    facts = state.facts
    details = CONTENT_BUILDERS.get(message.purpose)
    return NotificationContent(
        subject=f"Safeside: {message.purpose.replace('_', ' ')} - placement {state.stream_id}",
        placement_id=state.stream_id,
        case_reference=None if facts is None else facts.case_reference,
        unit_id=None if facts is None else facts.unit_id,
        recipient=message.recipient,
        purpose=message.purpose,
        event_type=event.event_type,
        event_version=event.version,
        occurred_at=event.occurred_at,
        risk_level=None if state.risk_level is None else state.risk_level.value,
        details={} if details is None else details(state, event),
    )


class Outbox:
    """Delivers outbox rows through their recipient's channel, each at most once."""

    def __init__(self, pool: Pool, channels: ChannelRouter) -> None:
        self._pool = pool
        self._channels = channels

    async def deliver(self, request: DeliveryRequest) -> DeliveryResult:
        key = request.idempotency_key
        failure: tuple[Notification, ChannelError] | None = None
        try:
            async with self._pool.acquire() as con, con.transaction():
                # The row lock makes a second delivery of the same key wait, then see it done.
                row = await con.fetchrow(
                    """SELECT idempotency_key, stream_id, event_version, recipient, purpose,
                              content, status, delivered_at
                         FROM notifications WHERE idempotency_key = $1 FOR UPDATE""",
                    key,
                )
                if row is None:
                    raise NotificationNotFound(f"there is no notification {key} in the outbox")
                if row["status"] == "delivered":
                    return DeliveryResult(
                        idempotency_key=key,
                        delivered_at=row["delivered_at"],
                        already_delivered=True,
                    )
                message = Notification.model_validate(dict(row))
                try:
                    await self._channels.for_recipient(message.recipient).send(message)
                except ChannelError as exc:
                    # Recorded and committed, then raised below so the workflow retries.
                    failure = (message, exc)
                    await con.execute(
                        """UPDATE notifications SET attempts = attempts + 1, last_error = $2
                            WHERE idempotency_key = $1""",
                        key,
                        str(exc),
                    )
                else:
                    delivered_at: datetime = await con.fetchval(
                        """UPDATE notifications
                              SET status = 'delivered', delivered_at = now(),
                                  attempts = attempts + 1, last_error = NULL
                            WHERE idempotency_key = $1 RETURNING delivered_at""",
                        key,
                    )
                    return DeliveryResult(
                        idempotency_key=key, delivered_at=delivered_at, already_delivered=False
                    )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise StoreUnavailable(
                f"the outbox could not be read or updated for notification {key} "
                f"({type(exc).__name__})"
            ) from exc
        assert failure is not None  # every path through the transaction returns or fails
        message, error = failure
        log.warning(
            "notification not delivered",
            idempotency_key=key,
            recipient=message.recipient,
            purpose=message.purpose,
            reason=str(error),
        )
        raise DeliveryFailed(f"notification {key} was not delivered: {error}")

    async def mark_failed(self, request: MarkFailedRequest) -> MarkFailedResult:
        """Show a notification as failed for good (the workflow gave up retrying). A delivered
        one stays delivered."""
        key = request.idempotency_key
        try:
            async with self._pool.acquire() as con, con.transaction():
                status = await con.fetchval(
                    """UPDATE notifications
                          SET status = CASE WHEN status = 'delivered' THEN status
                                            ELSE 'failed' END,
                              last_error = CASE WHEN status = 'delivered' THEN last_error
                                                ELSE $2 END
                        WHERE idempotency_key = $1 RETURNING status""",
                    key,
                    request.reason,
                )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise StoreUnavailable(
                f"the outbox could not be updated for notification {key} ({type(exc).__name__})"
            ) from exc
        if status is None:
            raise NotificationNotFound(f"there is no notification {key} in the outbox")
        if status == "failed":
            log.error("notification marked failed", idempotency_key=key)
        return MarkFailedResult(idempotency_key=key, status=str(status))
