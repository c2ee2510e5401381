"""PlacementWorkflow: one durable workflow per child placement.

The state is a pure fold over domain events (``workflows.domain``). People act through the
``record`` update (validated first: a refused action writes nothing); the statutory clocks
are a pure function of the state, and the workflow sleeps until the next escalation step is
due. New events go to PostgreSQL in batches by a background persister, so a database outage
never stops the workflow accepting actions or raising escalations.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from safeside.contracts.activities import ActivityName
    from safeside.contracts.workflows import (
        RECORD_FROM_UNIT,
        CarriedOver,
        PlacementInput,
        PlacementOutcome,
        RecordResult,
    )
    from safeside.ids import placement_workflow_id
    from workflows.changes import (
        REPORT_WITH_APPEND,
        SETTLED_DELIVERIES,
        UNIT_REPORTS,
        begin_run,
        has_change,
    )
    from workflows.domain.adoption import adopt
    from workflows.domain.adoption_command import AdoptPlacement
    from workflows.domain.commands import AdoptPolicy, OpenBreakGlass, PlacementCommand
    from workflows.domain.deadlines import Deadline, due, next_wake_at
    from workflows.domain.decide import (
        change_policy,
        decide,
        escalations_due,
        notification_failed,
        open_break_glass,
    )
    from workflows.domain.errors import DomainError
    from workflows.domain.events import PLACEMENT_EVENTS, PlacementEvent
    from workflows.domain.notices import notices_for
    from workflows.domain.policy import Policy
    from workflows.domain.state import PlacementState, PlacementStatus, evolve, initial_state
    from workflows.domain.summary import HandoverSummary, handover_summary
    from workflows.domain.unit.membership import PlacementReport
    from workflows.domain.unit.owed import UnitToPlacementCommand
    from workflows.refusal import DOMAIN_ERROR, refusal
    from workflows.stream import EventStream
    from workflows.stream_rules import (
        ReportsWithAppends,
        RunLimits,
        StreamRules,
        history_bytes_limit,
    )

__all__ = ["PlacementWorkflow", "placement_workflow_id"]

# The unit must learn of every arrival, risk change and end: retry until it does.
UNIT_REPORT_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
)


PLACEMENT_STREAM = StreamRules[PlacementState, PlacementEvent](
    evolve=evolve,
    catalog=PLACEMENT_EVENTS,
    notices_for=notices_for,
    notification_failed=notification_failed,
)


@workflow.defn
class PlacementWorkflow:
    @workflow.init
    def __init__(self, placement: PlacementInput) -> None:
        begin_run()
        # State is built here, not in run(): an update delivered in the same first task as the
        # start is validated before run() begins, and must see the started placement.
        self._input = placement
        self._stream = EventStream(
            PLACEMENT_STREAM,
            initial_state(placement.placement_id),
            limits=RunLimits(
                events_per_run=placement.events_per_run,
                history_bytes=history_bytes_limit(placement.history_bytes_per_run),
            ),
            carried=placement.carried,
            after_apply=self._after_apply,
            reports=ReportsWithAppends(take=self._report_with_append, missed=self._report_missed),
        )
        # Every run tells its unit where the placement stands once, then after each change.
        self._unit_report_due = True
        self._reporting_to_unit = False
        # Whether reports ride with appends (set in run(), under the report-with-append change).
        self._reports_ride = False
        self._start_refused: ApplicationError | None = None
        if placement.carried is None and placement.start is not None:
            start, now = placement.start, workflow.now()
            try:
                started = (
                    adopt(self.state, start, now=now, policy=self.policy)
                    if isinstance(start, AdoptPlacement)
                    else decide(self.state, start, now=now, policy=self.policy)
                )
            except DomainError as error:
                self._start_refused = refusal(error)  # run() fails the workflow with it
            else:
                self._stream.apply(started)
        elif placement.carried is None:
            self._start_refused = ApplicationError(
                "a placement needs its start details", type=DOMAIN_ERROR, non_retryable=True
            )
        # The start and the carry-over are in the stream now: a cached placement need not keep
        # them twice.
        self._input = placement.model_copy(update={"start": None, "carried": None})

    # -- the run -------------------------------------------------------------------------

    @workflow.run
    async def run(self, placement: PlacementInput) -> PlacementOutcome:
        if self._start_refused is not None:
            raise self._start_refused
        self._stream.start_persister()
        reporter = (
            asyncio.create_task(self._report_to_unit_forever())
            if has_change(UNIT_REPORTS)
            else None
        )
        self._reports_ride = reporter is not None and has_change(REPORT_WITH_APPEND)
        self._stream.resume_deliveries()

        while self.state.status is not PlacementStatus.ended:
            self._stream.apply(escalations_due(self.state, workflow.now(), self.policy))
            if self._stream.should_continue_as_new():
                await self._continue_as_new(reporter)  # returns when a step is due first
            await self._stream.sleep_until(self._next_wake_at())

        await workflow.wait_condition(
            lambda: (
                self._stream.settled()
                and (reporter is None or not (self._unit_report_due or self._reporting_to_unit))
            )
        )
        self._stream.stop()
        if reporter is not None:
            reporter.cancel()
        ended = self.state.end_reason
        return PlacementOutcome(
            placement_id=self._input.placement_id,
            final_version=self.state.version,
            ended_reason=str(ended) if ended is not None else None,
        )

    # -- the update ----------------------------------------------------------------------

    @workflow.update
    async def record(self, command: PlacementCommand) -> RecordResult:
        return self._recorded(self._decide(command))

    @record.validator
    def _validate_record(self, command: PlacementCommand) -> None:
        self._decide(command)

    def _decide(self, command: PlacementCommand) -> list[PlacementEvent]:
        return self._decided(
            lambda: decide(self.state, command, now=workflow.now(), policy=self.policy)
        )

    @workflow.update
    def open_break_glass(self, command: OpenBreakGlass) -> RecordResult:
        """Out-of-hours cover opens the child's record outside its relationship: recorded, and
        the child's Registered Manager told. The grant itself is kept by the service layer."""
        return self._recorded(self._break_glass(command))

    @open_break_glass.validator
    def _validate_break_glass(self, command: OpenBreakGlass) -> None:
        self._break_glass(command)

    def _break_glass(self, command: OpenBreakGlass) -> list[PlacementEvent]:
        return self._decided(lambda: open_break_glass(self.state, command, now=workflow.now()))

    @workflow.update
    def adopt_policy(self, command: AdoptPolicy) -> RecordResult:
        """The placement runs under ``command.policy`` from now on (PolicyChanged; nothing
        when it already does): every clock is worked out again from it."""
        return self._recorded(self._policy_change(command))

    @adopt_policy.validator
    def _validate_adopt_policy(self, command: AdoptPolicy) -> None:
        self._policy_change(command)

    def _policy_change(self, command: AdoptPolicy) -> list[PlacementEvent]:
        return self._decided(
            lambda: change_policy(
                self.state, now=workflow.now(), actor=command.actor, policy=command.policy
            )
        )

    @staticmethod
    def _decided(decision: Callable[[], list[PlacementEvent]]) -> list[PlacementEvent]:
        """What ``decision`` records; a refusal of the domain's, as the caller sees it."""
        try:
            return decision()
        except DomainError as error:
            raise refusal(error) from error

    def _recorded(self, events: list[PlacementEvent]) -> RecordResult:
        self._stream.apply(events)
        return RecordResult(version=self.state.version, events=[e.type for e in events])

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
        self._stream.apply(events)

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

    # -- state -----------------------------------------------------------------------------

    @property
    def state(self) -> PlacementState:
        return self._stream.state

    @property
    def policy(self) -> Policy:
        """The policy recorded in the stream (at the start, or by a later change), as every
        read computes with; the input's for a run begun before the policy was recorded."""
        return self.state.policy or self._input.policy

    def _next_wake_at(self) -> datetime | None:
        return next_wake_at(self.state, workflow.now(), self.policy)

    def _after_apply(self, _events: Sequence[PlacementEvent]) -> None:
        self._unit_report_due = True

    # -- telling the unit ------------------------------------------------------------------

    async def _report_to_unit_forever(self) -> None:
        """Tell the unit where this placement stands (arrival, risk level, handover summary,
        end), one report at a time so they arrive in order; reports made while one is in
        flight are folded into the next. Where reports ride with appends, this sends only
        what no append is to carry: the run's first report, and one an append missed."""
        while True:
            await workflow.wait_condition(
                lambda: (
                    self._unit_report_due and not (self._reports_ride and self._stream.storing())
                )
            )
            self._unit_report_due = False
            await self._send_report()

    async def _send_report(self) -> None:
        # A call of its own, so the report is not kept while the reporter waits for the next.
        report = self._unit_report()
        if report is None:
            return
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

    def _report_with_append(self) -> PlacementReport | None:
        """The report owed to the unit, taken by the append about to be sent."""
        if not (self._reports_ride and self._unit_report_due):
            return None
        self._unit_report_due = False
        return self._unit_report()

    def _report_missed(self) -> None:
        self._unit_report_due = True

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

    # -- continue-as-new -----------------------------------------------------------------

    async def _continue_as_new(self, reporter: asyncio.Task[None] | None) -> None:
        await self._stream.continue_as_new(
            lambda carried: self._input.model_copy(
                update={"start": None, "carried": CarriedOver(**carried)}
            ),
            settle_deliveries=has_change(SETTLED_DELIVERIES),
            quiet=lambda: not self._reporting_to_unit,
            wake_at=self._next_wake_at(),
            background=[reporter],  # the next run reports to the unit again first thing
        )
