"""The activities the placement workflow calls: thin adapters over the event store and the
outbox, registered under the stable names in ``ActivityName``.

Each turns the project's own errors into an ``ApplicationError`` whose ``type`` the workflow
can match on, non-retryable where a retry cannot help.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import structlog
from temporalio import activity

from activities.errors import ActivityError
from activities.event_store import EventStore
from activities.outbox import Outbox
from safeside.contracts import activities as contract
from safeside.ids import placement_id_of
from safeside.log import get_logger
from workflows.domain.unit.membership import PlacementReport

T = TypeVar("T")
log = get_logger(__name__)


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

    @activity.defn(name=contract.ActivityName.APPEND_EVENTS)
    async def append_events(self, batch: contract.AppendBatch) -> contract.AppendResult:
        return await _for_temporal(self._store.append(batch))


# How long an append waits for the notifications it owes to go out before it returns; what is
# not out by then is delivered (and retried) by the delivery activity.
DELIVER_ON_APPEND_WITHIN_SECONDS = 5.0


class AppendAndDeliverActivities:
    """Store a batch, then send the notifications it owes and the report to the unit it
    carries at once, in the same activity: the common case (every channel and the unit's
    workflow answering) costs one activity instead of three."""

    def __init__(
        self,
        store: EventStore,
        outbox: Outbox,
        *,
        report_to_unit: Callable[[PlacementReport], Awaitable[None]],
        deliver_within: float = DELIVER_ON_APPEND_WITHIN_SECONDS,
    ) -> None:
        self._store = store
        self._outbox = outbox
        self._report_to_unit = report_to_unit
        self._deliver_within = deliver_within

    @activity.defn(name=contract.ActivityName.APPEND_AND_DELIVER)
    async def append_and_deliver(
        self, batch: contract.AppendBatch
    ) -> contract.AppendAndDeliverResult:
        return await _for_temporal(self._append_and_deliver(batch))

    async def _append_and_deliver(
        self, batch: contract.AppendBatch
    ) -> contract.AppendAndDeliverResult:
        appended = await self._store.append(batch)
        delivered, reported = await asyncio.gather(
            self._outbox.deliver_at_once(
                [message.idempotency_key for message in batch.notifications],
                within=self._deliver_within,
            ),
            self._report(batch.unit_report),
        )
        return contract.AppendAndDeliverResult(
            appended=appended, delivered=delivered, reported=reported
        )

    async def _report(self, unit_report: PlacementReport | None) -> bool:
        """Whether the report reached the unit. One that did not is the workflow's to send by
        itself, with its own retries: it never fails the append, whose events are stored."""
        if unit_report is None:
            return False
        try:
            await self._report_to_unit(unit_report)
        except Exception as exc:  # whatever it was, the report's own activity will retry
            log.warning(
                "unit report left to its own activity",
                unit_id=unit_report.unit_id,
                error=type(exc).__name__,
            )
            return False
        return True


# A delivery heartbeats this often while it sends, so a worker that dies mid-send is noticed
# when the workflow's heartbeat timeout runs out, seconds later, not at its start-to-close.
HEARTBEAT_EVERY_SECONDS = 1.0


@contextlib.asynccontextmanager
async def _heartbeating(every: float) -> AsyncIterator[None]:
    async def beat() -> None:
        while True:
            activity.heartbeat()
            await asyncio.sleep(every)

    beating = asyncio.create_task(beat())
    try:
        yield
    finally:
        beating.cancel()
        await asyncio.gather(beating, return_exceptions=True)


class NotificationActivities:
    def __init__(self, outbox: Outbox, *, heartbeat_every: float = HEARTBEAT_EVERY_SECONDS) -> None:
        self._outbox = outbox
        self._heartbeat_every = heartbeat_every

    @activity.defn(name=contract.ActivityName.DELIVER_NOTIFICATION)
    async def deliver_notification(
        self, request: contract.DeliveryRequest
    ) -> contract.DeliveryResult:
        async with _heartbeating(self._heartbeat_every):
            return await _for_temporal(self._outbox.deliver(request))

    @activity.defn(name=contract.ActivityName.DELIVER_NOTIFICATIONS)
    async def deliver_notifications(
        self, batch: contract.DeliveryBatch
    ) -> contract.DeliveryBatchResult:
        async with _heartbeating(self._heartbeat_every):
            return await _for_temporal(self._outbox.deliver_all(batch))

    @activity.defn(name=contract.ActivityName.MARK_NOTIFICATION_FAILED)
    async def mark_notification_failed(
        self, request: contract.MarkFailedRequest
    ) -> contract.MarkFailedResult:
        return await _for_temporal(self._outbox.mark_failed(request))
