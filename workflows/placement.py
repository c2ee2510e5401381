"""PlacementWorkflow: one durable workflow per child placement.

The state is a pure fold over domain events (``workflows.domain``). People act through the
``record`` update (validated first: a refused action writes nothing); the statutory clocks
are a pure function of the state, and the workflow sleeps until the next escalation step is
due. New events go to PostgreSQL in batches by a background persister, so a database outage
never stops the workflow accepting actions or raising escalations.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.contracts import (
        ActivityName,
        OutboxMessage,
    )
    from safeside.ids import placement_workflow_id
    from workflows.domain.commands import PlacementCommand
    from workflows.domain.common import Role
    from workflows.domain.deadlines import Deadline, due, next_wake_at
    from workflows.domain.decide import decide, escalations_due, notification_failed
    from workflows.domain.errors import DomainError
    from workflows.domain.events import PlacementEvent
    from workflows.domain.policy import Policy
    from workflows.domain.state import PlacementState, PlacementStatus, evolve, initial_state
    from workflows.domain.summary import HandoverSummary, handover_summary
    from workflows.domain.unit.membership import PlacementReport
    from workflows.placement_io import (
        CarriedOver,
        PlacementInput,
        PlacementOutcome,
        RecordResult,
    )
    from workflows.store_calls import Delivery, append_batch, deliver, deliveries_for, mark_failed
    from workflows.stored import notifications_for, to_stored
    from workflows.unit_io import UnitToPlacementCommand

__all__ = ["PlacementWorkflow", "placement_workflow_id"]

DOMAIN_ERROR = "DomainError"
NOTIFICATION_FAILED_PURPOSE = "notification_failed"
# The signal by which the unit's workflow hands a placement what it owes it (R4, R7).
RECORD_FROM_UNIT = "record_from_unit"
# Placements started before the unit workflow existed replay without telling their unit.
UNIT_REPORTS_PATCH = "report-to-unit"

# The unit must learn of every arrival, risk change and end: retry until it does.
UNIT_REPORT_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
)


def refusal(error: DomainError) -> ApplicationError:
    """A refused action as the caller sees it: the domain's words, not retried."""
    return ApplicationError(str(error), type=DOMAIN_ERROR, non_retryable=True)


@workflow.defn
class PlacementWorkflow:
    @workflow.init
    def __init__(self, placement: PlacementInput) -> None:
        # State is built here, not in run(): an update delivered in the same first task as the
        # start is validated before run() begins, and must see the started placement.
        self._input = placement
        self._unpersisted: list[PlacementEvent] = []
        self._unpersisted_notifications: list[OutboxMessage] = []
        self._undelivered: dict[str, OutboxMessage] = {}
        self._deliveries: set[asyncio.Task[None]] = set()
        self._appending = False
        self._clock_changed = False
        self._events_this_run = 0
        # Every run tells its unit where the placement stands once, then after each change.
        self._unit_report_due = True
        self._reporting_to_unit = False
        self._state = initial_state(placement.placement_id)
        self._start_refused: ApplicationError | None = None
        if placement.carried is not None:
            self._resume(placement.carried)
        elif placement.start is not None:
            try:
                started = decide(
                    self._state, placement.start, now=workflow.now(), policy=self.policy
                )
            except DomainError as error:
                self._start_refused = refusal(error)  # run() fails the workflow with it
            else:
                self._apply(started)
        else:
            self._start_refused = ApplicationError(
                "a placement needs its start details", type=DOMAIN_ERROR, non_retryable=True
            )

    # -- the run -------------------------------------------------------------------------

    @workflow.run
    async def run(self, placement: PlacementInput) -> PlacementOutcome:
        if self._start_refused is not None:
            raise self._start_refused
        persister = asyncio.create_task(self._persist_forever())
        reporter = (
            asyncio.create_task(self._report_to_unit_forever())
            if workflow.patched(UNIT_REPORTS_PATCH)
            else None
        )
        self._start_deliveries(list(self._undelivered.values()))

        while self.state.status is not PlacementStatus.ended:
            self._apply(escalations_due(self.state, workflow.now(), self.policy))
            if self._should_continue_as_new():
                await self._continue_as_new(persister, reporter)
            await self._sleep_until_next_step(persister)

        await workflow.wait_condition(
            lambda: (
                not self._unpersisted
                and not self._appending
                and not self._undelivered
                and (reporter is None or not (self._unit_report_due or self._reporting_to_unit))
            )
        )
        persister.cancel()
        if reporter is not None:
            reporter.cancel()
        ended = self.state.end_reason
        return PlacementOutcome(
            placement_id=self._input.placement_id,
            final_version=self.state.version,
            ended_reason=str(ended) if ended is not None else None,
        )

    async def _sleep_until_next_step(self, persister: asyncio.Task[None]) -> None:
        wake_at = next_wake_at(self.state, workflow.now(), self.policy)
        self._clock_changed = False
        timeout = None if wake_at is None else max(wake_at - workflow.now(), timedelta(0))
        with contextlib.suppress(TimeoutError):  # a timeout means the next step is due
            await workflow.wait_condition(
                lambda: self._clock_changed or self._should_continue_as_new() or persister.done(),
                timeout=timeout,
            )
        if persister.done():
            # The event store refused a batch (a version gap or conflict): the stored trail and
            # this workflow disagree. Fail the workflow task, not the workflow, so the
            # placement stays open and its timers survive while someone looks.
            raise RuntimeError(
                f"events of {self.state.stream_id} could not be stored"
            ) from persister.exception()

    # -- the update ----------------------------------------------------------------------

    @workflow.update
    async def record(self, command: PlacementCommand) -> RecordResult:
        try:
            events = decide(self.state, command, now=workflow.now(), policy=self.policy)
        except DomainError as error:
            raise refusal(error) from error
        self._apply(events)
        return RecordResult(version=self.state.version, events=[e.type for e in events])

    @record.validator
    def _validate_record(self, command: PlacementCommand) -> None:
        try:
            decide(self.state, command, now=workflow.now(), policy=self.policy)
        except DomainError as error:
            raise refusal(error) from error

    @workflow.signal(name=RECORD_FROM_UNIT)
    def record_from_unit(self, command: UnitToPlacementCommand) -> None:
        """What the unit owes this placement: a missing report from a whereabouts check (R4),
        or a concern from a building check (R7). A signal, because the unit cannot wait on a
        placement; one the domain refuses (already missing, ended) is logged and dropped."""
        try:
            events = decide(self.state, command, now=workflow.now(), policy=self.policy)
        except DomainError as error:
            workflow.logger.warning(
                "the unit's request was refused",
                extra={"placement_id": self.state.stream_id, "reason": str(error)},
            )
            return
        self._apply(events)

    # -- queries -------------------------------------------------------------------------

    @workflow.query
    def current_state(self) -> PlacementState:
        return self.state

    @workflow.query
    def open_deadlines(self) -> list[Deadline]:
        return due(self.state, workflow.now(), self.policy)

    @workflow.query
    def handover(self) -> HandoverSummary:
        return handover_summary(self.state, workflow.now(), self.policy)

    # -- state and persistence -----------------------------------------------------------

    @property
    def state(self) -> PlacementState:
        return self._state

    @property
    def policy(self) -> Policy:
        return self._input.policy

    def _apply(self, events: list[PlacementEvent]) -> None:
        for event in events:
            self._state = evolve(self.state, event)
            self._unpersisted.append(event)
            self._unpersisted_notifications.extend(notifications_for(self.state, event))
        if events:
            self._events_this_run += len(events)
            self._clock_changed = True
            self._unit_report_due = True

    def _resume(self, carried: CarriedOver) -> None:
        self._state = carried.state
        self._unpersisted = list(carried.unpersisted)
        self._unpersisted_notifications = list(carried.unpersisted_notifications)
        self._undelivered = {m.idempotency_key: m for m in carried.undelivered}

    async def _persist_forever(self) -> None:
        while True:
            await workflow.wait_condition(lambda: bool(self._unpersisted))
            # Copies: what is taken off the lists only after the append succeeds is what a
            # continue-as-new in the meantime still carries over (a re-sent batch is a no-op).
            events = list(self._unpersisted)
            notifications = list(self._unpersisted_notifications)
            self._appending = True
            try:
                owed = await append_batch(
                    self.state.stream_id, [to_stored(event) for event in events], notifications
                )
            finally:
                self._appending = False
            del self._unpersisted[: len(events)]
            del self._unpersisted_notifications[: len(notifications)]
            for message in owed:
                self._undelivered[message.idempotency_key] = message
            self._start_deliveries(owed)

    async def _report_to_unit_forever(self) -> None:
        """Tell the unit where this placement stands (arrival, risk level, handover summary,
        end), one report at a time so they arrive in order; reports made while one is in
        flight are folded into the next."""
        while True:
            await workflow.wait_condition(lambda: self._unit_report_due)
            report = self._unit_report()
            self._unit_report_due = False
            if report is None:
                continue
            self._reporting_to_unit = True
            try:
                await workflow.execute_activity(
                    ActivityName.REPORT_TO_UNIT,
                    report,
                    start_to_close_timeout=timedelta(seconds=30),
                    retry_policy=UNIT_REPORT_RETRY,
                )
            finally:
                self._reporting_to_unit = False

    def _unit_report(self) -> PlacementReport | None:
        facts = self.state.facts
        if facts is None:
            return None
        return PlacementReport(
            unit_id=facts.unit_id,
            placement_id=self.state.stream_id,
            version=self.state.version,
            status=self.state.status,
            arrived_at=facts.arrived_at,
            risk_level=self.state.risk_level,
            summary=handover_summary(self.state, workflow.now(), self.policy),
        )

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
        """Nothing is dropped silently: the outbox row shows the failure and the Duty Manager
        is told (unless what failed was itself such a warning, which would only loop). A
        message of a batch that did get through stays delivered."""
        result = await mark_failed(message, failure)
        if result.status != "failed":
            return
        workflow.logger.warning(
            "notification not delivered after retries",
            extra={"idempotency_key": message.idempotency_key, "recipient": message.recipient},
        )
        if message.purpose != NOTIFICATION_FAILED_PURPOSE:
            self._apply(
                notification_failed(
                    self.state,
                    now=workflow.now(),
                    idempotency_key=message.idempotency_key,
                    recipient=Role(message.recipient),
                    purpose=message.purpose,
                    about_version=message.event_version,
                )
            )

    # -- continue-as-new -----------------------------------------------------------------

    def _should_continue_as_new(self) -> bool:
        return (
            workflow.info().is_continue_as_new_suggested()
            or self._events_this_run >= self._input.events_per_run
        )

    async def _continue_as_new(
        self, persister: asyncio.Task[None], reporter: asyncio.Task[None] | None
    ) -> None:
        # Let running update handlers finish and an in-flight append land, so the next run
        # starts from a state every caller has seen acknowledged.
        await workflow.wait_condition(
            lambda: (
                workflow.all_handlers_finished()
                and not self._appending
                and not self._reporting_to_unit
            )
        )
        persister.cancel()
        if reporter is not None:
            reporter.cancel()  # the next run reports again first thing
        workflow.continue_as_new(
            self._input.model_copy(
                update={
                    "start": None,
                    "carried": CarriedOver(
                        state=self.state,
                        unpersisted=self._unpersisted,
                        unpersisted_notifications=self._unpersisted_notifications,
                        undelivered=list(self._undelivered.values()),
                    ),
                }
            )
        )
