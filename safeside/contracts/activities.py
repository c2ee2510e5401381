"""Input and result models of the activities: the contract between workflows and side effects.

Activity names are stable strings (``ActivityName``); workflow tests register fakes under the
same names. Everything here crosses Temporal's pydantic data converter.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import Field

from safeside.contracts.contract import Contract
from workflows.domain.stream import EventCatalog, StreamEvent
from workflows.domain.unit.membership import PlacementReport

E = TypeVar("E", bound=StreamEvent)


class ActivityName(StrEnum):
    APPEND_EVENTS = "append_events"
    APPEND_AND_DELIVER = "append_and_deliver"
    DELIVER_NOTIFICATION = "deliver_notification"
    DELIVER_NOTIFICATIONS = "deliver_notifications"
    MARK_NOTIFICATION_FAILED = "mark_notification_failed"
    REPORT_TO_UNIT = "report_to_unit"


class StoredEvent(Contract):
    """One domain event as the event store keeps it: by stable type name, never a Python path."""

    stream_id: str
    version: int = Field(ge=1)
    event_type: str
    schema_version: int = Field(ge=1)
    occurred_at: datetime
    actor_role: str
    actor_ref: str
    payload: dict[str, Any]

    @classmethod
    def recording(cls, catalog: EventCatalog[E], event: E) -> StoredEvent:
        """How the event store keeps ``event``, in its stream's catalog's stored form."""
        type_name, schema_version, payload = catalog.to_stored(event)
        return cls(
            stream_id=event.stream_id,
            version=event.version,
            event_type=type_name,
            schema_version=schema_version,
            occurred_at=event.occurred_at,
            actor_role=str(event.actor.role),
            actor_ref=event.actor.reference,
            payload=payload,
        )

    def read(self, catalog: EventCatalog[E]) -> E:
        """The event this row records, upcast by its stream's catalog to the current shape.

        The columns are the record of who and when, so a payload that says otherwise is
        refused (``ValueError``) rather than silently believed."""
        header = {
            "stream_id": self.stream_id,
            "version": self.version,
            "occurred_at": self.occurred_at,
            "actor": {"role": self.actor_role, "reference": self.actor_ref},
        }
        event = catalog.from_stored(self.event_type, self.schema_version, header | self.payload)
        if (
            event.stream_id != self.stream_id
            or event.version != self.version
            or event.occurred_at != self.occurred_at
            or event.actor.role != self.actor_role
            or event.actor.reference != self.actor_ref
        ):
            raise ValueError(
                f"event {self.version} of {self.stream_id}: its payload disagrees with its "
                "stream id, version, time or actor"
            )
        return event


class OutboxMessage(Contract):
    """A notification owed to a partner agency or a role, written in the same transaction as
    the event that caused it. The key is derived from the placement id and the event version
    (run ids change at continue-as-new), so a retried append or delivery never sends twice."""

    idempotency_key: str
    stream_id: str
    event_version: int = Field(ge=1)
    recipient: str
    purpose: str

    @staticmethod
    def key_for(stream_id: str, event_version: int, recipient: str) -> str:
        return f"{stream_id}:{event_version}:{recipient}"

    @classmethod
    def owed(
        cls, stream_id: str, event_version: int, recipient: str, purpose: str
    ) -> OutboxMessage:
        """The row an event of a stream owes a recipient, under its idempotency key."""
        return cls(
            idempotency_key=cls.key_for(stream_id, event_version, recipient),
            stream_id=stream_id,
            event_version=event_version,
            recipient=recipient,
            purpose=purpose,
        )


class AppendBatch(Contract):
    """New events of one stream, numbered on from ``expected_version``, and the notifications
    they cause; for a placement, also where it now stands, for its unit (``unit_report``),
    sent once the events are stored."""

    stream_id: str
    expected_version: int = Field(ge=0)
    events: list[StoredEvent]
    notifications: list[OutboxMessage] = Field(default_factory=list)
    unit_report: PlacementReport | None = None


class AppendResult(Contract):
    last_version: int
    appended: int  # 0 when the whole batch was already stored (a retry)


class AppendAndDeliverResult(Contract):
    """A batch stored, the keys of the notifications it owed that went out at once, and
    whether the unit report it carried reached the unit (if not, the workflow sends it by
    itself)."""

    appended: AppendResult
    delivered: list[str]
    reported: bool = False


class DeliveryRequest(Contract):
    idempotency_key: str


class DeliveryResult(Contract):
    idempotency_key: str
    delivered_at: datetime
    already_delivered: bool


class DeliveryBatch(Contract):
    """The notifications one append owes, delivered in one activity: each key at most once,
    a retry of the batch re-sends only what did not get through."""

    idempotency_keys: list[str] = Field(min_length=1)


class DeliveryBatchResult(Contract):
    delivered: list[DeliveryResult]


class MarkFailedRequest(Contract):
    """Give up on a notification after the workflow's retry limit, so it shows as failed."""

    idempotency_key: str
    reason: str


class MarkFailedResult(Contract):
    idempotency_key: str
    # "failed", or "delivered" when a delivery got through first (it is never undone).
    status: str
