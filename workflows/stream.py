"""EventStream: the event-sourced machinery both workflows run on, written once.

A stream folds its new events into its state, keeps them (and the notices they owe) until a
background persister has stored them in PostgreSQL, delivers the notices, gives up on one only
after its retries (marking it failed and recording that in the stream, so the Duty Manager is
told), and hands what is still owed to the next run at continue-as-new. What differs between a
placement and a unit is named in ``workflows.stream_rules``; everything else is here. Called
from workflow code only.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Generic

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from safeside.contracts.activities import OutboxMessage, StoredEvent
    from safeside.contracts.workflows import CarriedStream
    from workflows.activity_calls import (
        Delivery,
        append_batch,
        deliver,
        deliveries_for,
        mark_failed,
    )
    from workflows.changes import HAND_OVER_WHEN_READY, STEADY_TIMER, has_change
    from workflows.domain.common import Role
    from workflows.domain.stream import EventCatalog
    from workflows.stream_rules import (
        Batching,
        E,
        ReportsWithAppends,
        RunLimits,
        S,
        StreamRules,
    )

# A warning that a notice failed is never itself escalated when it fails: that would only loop.
NOTIFICATION_FAILED_PURPOSE = "notification_failed"

# Temporal refuses a payload over 2 MB: an append batch, and what a run carries over to the
# next, are kept to half of it (an event alone is far smaller: its texts are capped).
MAX_PAYLOAD_BYTES = 1024 * 1024


class EventStream(Generic[S, E]):
    def __init__(
        self,
        rules: StreamRules[S, E],
        state: S,
        *,
        limits: RunLimits,
        batching: Batching | None = None,
        carried: CarriedStream[S, E] | None = None,
        after_apply: Callable[[Sequence[E]], None] | None = None,
        reports: ReportsWithAppends | None = None,
    ) -> None:
        self._rules = rules
        # What the workflow itself does with new events (tell the unit, owe a placement).
        self._after_apply = after_apply
        self._reports = reports
        self._limits = limits
        self._batching = batching
        self.state = state
        self._unpersisted: list[E] = []
        self._unpersisted_notifications: list[OutboxMessage] = []
        self._undelivered: dict[str, OutboxMessage] = {}
        if carried is not None:
            self.state = carried.state
            self._unpersisted = list(carried.unpersisted)
            self._unpersisted_notifications = list(carried.unpersisted_notifications)
            self._undelivered = {m.idempotency_key: m for m in carried.undelivered}
        self._deliveries: set[asyncio.Task[None]] = set()
        self._persister: asyncio.Task[None] | None = None
        # The timer set for the next step due, and the time it was set for.
        self._alarm: asyncio.Task[None] | None = None
        self._alarm_at: datetime | None = None
        self._appending = False
        self._events_this_run = 0
        # What the run began with (its input, the carry-over): the byte limit counts what it
        # adds, so a carry-over larger than the limit cannot make each run hand over at once.
        self._history_bytes_at_start = workflow.info().get_current_history_size()
        # Set by every change; the workflow's sleep wakes on it to work out the next step.
        self.changed = False

    # -- changing the state ------------------------------------------------------------

    def apply(self, events: Sequence[E]) -> None:
        for event in events:
            self.state = self._rules.evolve(self.state, event)
            self._unpersisted.append(event)
            self._unpersisted_notifications.extend(
                OutboxMessage.owed(
                    event.stream_id, event.version, str(notice.recipient), notice.purpose
                )
                for notice in self._rules.notices_for(self.state, event)
            )
        if events:
            self._events_this_run += len(events)
            self.changed = True
            if self._after_apply is not None:
                self._after_apply(events)

    # -- the run -------------------------------------------------------------------------

    def start_persister(self) -> None:
        self._persister = asyncio.create_task(self._persist_forever())

    def resume_deliveries(self) -> None:
        """Deliver what an earlier run left undelivered. (The workflow starts its own
        background task between the two: the order of the commands they issue is in every
        saved history.)"""
        self._start_deliveries(list(self._undelivered.values()))

    async def sleep_until(self, wake_at: datetime | None) -> None:
        """Sleep until ``wake_at`` (None: until something changes), or until the state
        changes, continue-as-new is due or the persister stops."""
        self.changed = False
        if has_change(STEADY_TIMER):
            self._set_alarm(wake_at)
            await workflow.wait_condition(
                lambda: (
                    self.changed
                    or self.should_continue_as_new()
                    or self._persister_stopped()
                    or self._alarm_rang()
                )
            )
        else:
            timeout = None if wake_at is None else max(wake_at - workflow.now(), timedelta(0))
            with contextlib.suppress(TimeoutError):  # a timeout means the next step is due
                await workflow.wait_condition(
                    lambda: (
                        self.changed or self.should_continue_as_new() or self._persister_stopped()
                    ),
                    timeout=timeout,
                )
        if self._persister is not None and self._persister.done():
            # The event store refused a batch (a version gap or conflict): the stored trail and
            # this workflow disagree. Fail the workflow task, not the workflow, so the stream
            # stays open and its timers survive while someone looks.
            raise RuntimeError(
                f"events of {self.state.stream_id} could not be stored"
            ) from self._persister.exception()

    def _set_alarm(self, wake_at: datetime | None) -> None:
        """A timer for ``wake_at``: the one already set if it is for the same time."""
        if self._alarm is not None and not self._alarm.done() and self._alarm_at == wake_at:
            return
        if self._alarm is not None:
            self._alarm.cancel()
        self._alarm, self._alarm_at = None, wake_at
        if wake_at is not None:
            self._alarm = asyncio.create_task(
                asyncio.sleep(max(wake_at - workflow.now(), timedelta(0)).total_seconds())
            )

    def _alarm_rang(self) -> bool:
        return self._alarm is not None and self._alarm.done()

    def should_continue_as_new(self) -> bool:
        info = workflow.info()
        limits = self._limits
        return (
            info.is_continue_as_new_suggested()
            or (
                limits.events_per_run is not None and self._events_this_run >= limits.events_per_run
            )
            or (
                limits.history_length is not None
                and info.get_current_history_length() >= limits.history_length
            )
            or (
                limits.history_bytes is not None
                and info.get_current_history_size() - self._history_bytes_at_start
                >= limits.history_bytes
            )
        )

    def storing(self) -> bool:
        """Events wait to be stored: the next append (or the one in flight) is to come."""
        return bool(self._unpersisted)

    def settled(self) -> bool:
        """Everything decided is stored and every notice delivered (or given up on)."""
        return not self._unpersisted and not self._appending and not self._undelivered

    def stop(self) -> None:
        if self._persister is not None:
            self._persister.cancel()

    async def continue_as_new(
        self,
        next_input: Callable[[dict[str, Any]], Any],
        *,
        settle_deliveries: bool,
        quiet: Callable[[], bool],
        wake_at: datetime | None,
        background: Sequence[asyncio.Task[None] | None] = (),
    ) -> None:
        """Hand over to the next run: once running update handlers have finished, an append
        in flight (and, if asked, every delivery) has landed, what is carried over fits in a
        payload and the workflow's own background work is ``quiet``, so the next run starts
        from a state every caller has seen acknowledged. ``next_input`` makes the next run's
        input from the stream's part of the carry-over (state, and what is not yet stored or
        delivered).

        Returns, without handing over, at ``wake_at`` or when the state changes first: the
        workflow takes its next step (an escalation due) and tries again."""

        def ready() -> bool:
            return (
                workflow.all_handlers_finished()
                and not self._appending
                and not (settle_deliveries and self._deliveries)
                and quiet()
            )

        if has_change(HAND_OVER_WHEN_READY):
            self.changed = False
            timeout = None if wake_at is None else max(wake_at - workflow.now(), timedelta(0))
            with contextlib.suppress(TimeoutError):  # a timeout means the next step is due
                await workflow.wait_condition(
                    lambda: (
                        (ready() and self._carry_fits())
                        or self.changed
                        or self._persister_stopped()
                    ),
                    timeout=timeout,
                )
            # Checked again in the step that hands over, with nothing able to run in
            # between: no append is started in the step that continues as new.
            if not (ready() and self._carry_fits()):
                return
        else:
            await workflow.wait_condition(ready)
        self.stop()
        for task in background:
            if task is not None:
                task.cancel()
        workflow.continue_as_new(
            next_input(
                {
                    "state": self.state,
                    "unpersisted": self._unpersisted,
                    "unpersisted_notifications": self._unpersisted_notifications,
                    "undelivered": list(self._undelivered.values()),
                }
            )
        )

    # -- storing -------------------------------------------------------------------------

    def _carry_fits(self) -> bool:
        owed = [*self._unpersisted_notifications, *self._undelivered.values()]
        size = sum(len(event.model_dump_json()) for event in self._unpersisted)
        size += sum(len(message.model_dump_json()) for message in owed)
        return size <= MAX_PAYLOAD_BYTES

    def _persister_stopped(self) -> bool:
        return self._persister is not None and self._persister.done()

    def _store_now(self) -> bool:
        batching = self._batching
        return (
            batching is None
            or bool(self._unpersisted_notifications)
            or len(self._unpersisted) >= batching.size
        )

    async def _persist_forever(self) -> None:
        while True:
            await workflow.wait_condition(lambda: bool(self._unpersisted))
            if self._batching is not None:
                oldest = self._unpersisted[0].occurred_at
                wait = oldest + self._batching.within - workflow.now()
                if wait > timedelta(0) and not self._store_now():
                    with contextlib.suppress(TimeoutError):
                        await workflow.wait_condition(self._store_now, timeout=wait)
            # A call of its own, so the batch it sent is not kept while the stream waits for
            # the next (a cached workflow would hold its last batch's payloads for nothing).
            await self._store_next_batch()

    async def _store_next_batch(self) -> None:
        # Copies: what is taken off the lists only after the append succeeds is what a
        # continue-as-new in the meantime still carries over (a re-sent batch is a no-op).
        events, notifications = next_batch(
            self._rules.catalog, self._unpersisted, self._unpersisted_notifications
        )
        report = None if self._reports is None else self._reports.take()
        self._appending = True
        try:
            appended = await append_batch(self.state.stream_id, events, notifications, report)
        finally:
            self._appending = False
        del self._unpersisted[: len(events)]
        del self._unpersisted_notifications[: len(notifications)]
        if report is not None and not appended.reported:
            assert self._reports is not None
            self._reports.missed()
        for message in appended.owed:
            self._undelivered[message.idempotency_key] = message
        self._start_deliveries(appended.owed)

    # -- delivering ----------------------------------------------------------------------

    def _start_deliveries(self, messages: list[OutboxMessage]) -> None:
        for delivery in deliveries_for(messages):
            task = asyncio.create_task(self._deliver(delivery))
            self._deliveries.add(task)  # a reference, so the task is not collected mid-flight
            task.add_done_callback(self._deliveries.discard)

    async def _deliver(self, delivery: Delivery) -> None:
        failure = await deliver(delivery)
        if failure is not None:
            for message in delivery.messages:
                await self._give_up_on(message, failure)
        for message in delivery.messages:
            self._undelivered.pop(message.idempotency_key, None)

    async def _give_up_on(self, message: OutboxMessage, failure: ActivityError) -> None:
        """Nothing is dropped silently: the outbox row shows the failure and the stream records
        it, which tells the Duty Manager. A message of a batch that did get through stays
        delivered."""
        result = await mark_failed(message, failure)
        if result.status != "failed":
            return
        workflow.logger.warning(
            "notification not delivered after retries",
            extra={"idempotency_key": message.idempotency_key, "recipient": message.recipient},
        )
        if message.purpose != NOTIFICATION_FAILED_PURPOSE:
            self.apply(
                self._rules.notification_failed(
                    self.state,
                    now=workflow.now(),
                    idempotency_key=message.idempotency_key,
                    recipient=Role(message.recipient),
                    purpose=message.purpose,
                    about_version=message.event_version,
                )
            )


def next_batch(
    catalog: EventCatalog[E],
    unpersisted: Sequence[E],
    notifications: Sequence[OutboxMessage],
    *,
    limit: int = MAX_PAYLOAD_BYTES,
) -> tuple[list[StoredEvent], list[OutboxMessage]]:
    """The oldest events not yet stored, as many as fit in ``limit`` bytes (at least one), in
    their stored form, and the notices they owe (the notices are in their events' order)."""
    batch: list[StoredEvent] = []
    size = 0
    for event in unpersisted:
        stored = StoredEvent.recording(catalog, event)
        size += len(stored.model_dump_json())
        if batch and size > limit:
            break
        batch.append(stored)
    last = batch[-1].version
    return batch, list(itertools.takewhile(lambda m: m.event_version <= last, notifications))
