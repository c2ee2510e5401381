"""The activities the placement workflow calls: thin adapters over the event store and the
outbox, registered under the stable names in ``ActivityName``.

Each turns the project's own errors into an ``ApplicationError`` whose ``type`` the workflow
can match on, non-retryable where a retry cannot help.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import structlog
from temporalio import activity

from activities.contracts import (
    ActivityName,
    AppendBatch,
    AppendResult,
    DeliveryBatch,
    DeliveryBatchResult,
    DeliveryRequest,
    DeliveryResult,
    MarkFailedRequest,
    MarkFailedResult,
)
from activities.errors import ActivityError
from activities.event_store import EventStore
from activities.notifications import Outbox
from safeside.ids import placement_id_of

T = TypeVar("T")


async def _for_temporal(call: Awaitable[T]) -> T:
    # Every log line written while serving a placement's activity names the placement.
    with structlog.contextvars.bound_contextvars(
        placement_id=placement_id_of(activity.info().workflow_id)
    ):
        try:
            return await call
        except ActivityError as exc:
            raise exc.to_application_error() from exc


class EventStoreActivities:
    def __init__(self, store: EventStore) -> None:
        self._store = store

    @activity.defn(name=ActivityName.APPEND_EVENTS)
    async def append_events(self, batch: AppendBatch) -> AppendResult:
        return await _for_temporal(self._store.append(batch))


class NotificationActivities:
    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    @activity.defn(name=ActivityName.DELIVER_NOTIFICATION)
    async def deliver_notification(self, request: DeliveryRequest) -> DeliveryResult:
        return await _for_temporal(self._outbox.deliver(request))

    @activity.defn(name=ActivityName.DELIVER_NOTIFICATIONS)
    async def deliver_notifications(self, batch: DeliveryBatch) -> DeliveryBatchResult:
        return await _for_temporal(self._outbox.deliver_all(batch))

    @activity.defn(name=ActivityName.MARK_NOTIFICATION_FAILED)
    async def mark_notification_failed(self, request: MarkFailedRequest) -> MarkFailedResult:
        return await _for_temporal(self._outbox.mark_failed(request))
