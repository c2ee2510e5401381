"""In-memory activities registered under the real names, for workflow tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import resumption, unit_activities
from safeside.contracts import activities as contract
from safeside.contracts.workflows import UnitInput
from workflows.domain.unit.events import unit_stream_id
from workflows.domain.unit.membership import PlacementReport


@dataclass
class FakeActivities:
    """Stores batches in memory with the real store's rules (idempotent, no gaps) and
    records each delivery once."""

    events: dict[str, list[contract.StoredEvent]] = field(default_factory=dict)
    outbox: dict[str, contract.OutboxMessage] = field(default_factory=dict)
    delivered: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    # Recipients whose channel is down: every delivery to them fails.
    unreachable: set[str] = field(default_factory=set)
    append_calls: int = 0
    # While set, every append fails as if PostgreSQL were down (and is retried).
    store_down: bool = False
    # What placements reported to their unit; passed on to the unit's workflow (as the real
    # activity does, a unit not running started from its stream here) only when a test runs
    # units.
    unit_reports: list[PlacementReport] = field(default_factory=list)
    forward_to_units: bool = False
    # While set, a report riding with an append does not reach the unit (the workflow then
    # sends it by itself, through ``report_to_unit``).
    unit_unreachable: bool = False

    @activity.defn(name=contract.ActivityName.APPEND_EVENTS)
    async def append_events(self, batch: contract.AppendBatch) -> contract.AppendResult:
        self.append_calls += 1
        if self.store_down:
            raise ApplicationError("PostgreSQL is down (a test's outage)")
        stream = self.events.setdefault(batch.stream_id, [])
        appended = 0
        for event in batch.events:
            if event.version <= len(stream):
                assert stream[event.version - 1] == event, "conflicting event"
                continue
            assert event.version == len(stream) + 1, "version gap"
            stream.append(event)
            appended += 1
        for message in batch.notifications:
            self.outbox.setdefault(message.idempotency_key, message)
        return contract.AppendResult(last_version=len(stream), appended=appended)

    @activity.defn(name=contract.ActivityName.APPEND_AND_DELIVER)
    async def append_and_deliver(
        self, batch: contract.AppendBatch
    ) -> contract.AppendAndDeliverResult:
        """Stores as ``append_events``, then delivers at once what is reachable, and reports
        to the unit the report it carries unless the unit is unreachable."""
        appended = await self.append_events(batch)
        delivered = []
        for message in batch.notifications:
            try:
                await self.deliver_notification(
                    contract.DeliveryRequest(idempotency_key=message.idempotency_key)
                )
            except ApplicationError:
                continue  # left to the delivery activity, as the real one does
            delivered.append(message.idempotency_key)
        reported = False
        if batch.unit_report is not None and not self.unit_unreachable:
            await self.report_to_unit(batch.unit_report)
            reported = True
        return contract.AppendAndDeliverResult(
            appended=appended, delivered=delivered, reported=reported
        )

    @activity.defn(name=contract.ActivityName.DELIVER_NOTIFICATION)
    async def deliver_notification(
        self, request: contract.DeliveryRequest
    ) -> contract.DeliveryResult:
        assert request.idempotency_key in self.outbox, "delivery before its append"
        if self.outbox[request.idempotency_key].recipient in self.unreachable:
            raise ApplicationError("the recipient's channel is down", type="DeliveryFailed")
        already = request.idempotency_key in self.delivered
        if not already:
            self.delivered.append(request.idempotency_key)
        return contract.DeliveryResult(
            idempotency_key=request.idempotency_key,
            delivered_at=datetime.now(UTC),
            already_delivered=already,
        )

    @activity.defn(name=contract.ActivityName.DELIVER_NOTIFICATIONS)
    async def deliver_notifications(
        self, batch: contract.DeliveryBatch
    ) -> contract.DeliveryBatchResult:
        """Each key as ``deliver_notification`` would; fails (after delivering the rest) if any
        recipient is unreachable, as the real batch does."""
        delivered, unreachable = [], []
        for key in batch.idempotency_keys:
            try:
                delivered.append(
                    await self.deliver_notification(contract.DeliveryRequest(idempotency_key=key))
                )
            except ApplicationError:
                unreachable.append(key)
        if unreachable:
            raise ApplicationError(
                f"{len(unreachable)} of {len(batch.idempotency_keys)} notifications not delivered",
                type="DeliveryFailed",
            )
        return contract.DeliveryBatchResult(delivered=delivered)

    @activity.defn(name=contract.ActivityName.MARK_NOTIFICATION_FAILED)
    async def mark_notification_failed(
        self, request: contract.MarkFailedRequest
    ) -> contract.MarkFailedResult:
        if request.idempotency_key in self.delivered:  # a delivered one stays delivered
            return contract.MarkFailedResult(
                idempotency_key=request.idempotency_key, status="delivered"
            )
        self.failed.append(request.idempotency_key)
        return contract.MarkFailedResult(idempotency_key=request.idempotency_key, status="failed")

    @activity.defn(name=contract.ActivityName.REPORT_TO_UNIT)
    async def report_to_unit(self, report: PlacementReport) -> None:
        self.unit_reports.append(report)
        if self.forward_to_units:
            await unit_activities.report(
                activity.client(),
                report,
                task_queue=activity.info().task_queue,
                resume=self._stored_unit,
            )

    async def _stored_unit(self, unit_id: str) -> UnitInput:
        stream_id = unit_stream_id(unit_id)
        pending = [
            message
            for key, message in self.outbox.items()
            if message.stream_id == stream_id and key not in (*self.delivered, *self.failed)
        ]
        stored = resumption.StoredStream(stream_id, self.events.get(stream_id, []), pending)
        return resumption.unit_input(stored)

    def callables(self) -> list[Callable[..., Any]]:
        return [
            self.append_events,
            self.append_and_deliver,
            self.deliver_notification,
            self.deliver_notifications,
            self.mark_notification_failed,
            self.report_to_unit,
        ]

    def types(self, stream_id: str) -> list[str]:
        return [event.event_type for event in self.events.get(stream_id, [])]

    def recipients(self, stream_id: str) -> list[str]:
        return [
            message.recipient
            for key, message in self.outbox.items()
            if message.stream_id == stream_id and key in self.delivered
        ]
