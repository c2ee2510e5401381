"""UnitWorkflow: one durable workflow per residential unit, for what the seed gives the unit as
a whole: whereabouts checks (R4), house meetings (R13), building and outside checks (R14) and
the handover (R16).

Placements report themselves to their unit (``placement_reported``, sent by an activity with
signal-with-start, so the unit's workflow exists as soon as its first child arrives). The unit
tells a placement what it owes it by signalling the placement's workflow: a child not seen
starts that placement's missing procedure at once; a concern about a child reaches it as
suspicious activity. Its events go to PostgreSQL in batches; it runs for years, so it continues
as new, carrying its state, before its history grows long.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from temporalio import workflow
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from safeside.contracts.workflows import (
        PLACEMENT_REPORTED,
        RECORD_FROM_UNIT,
        CarriedUnit,
        RecordResult,
        UnitInput,
    )
    from safeside.ids import placement_workflow_id, unit_workflow_id
    from workflows.changes import UNIT_FAILED_NOTICES_ESCALATED, begin_run, has_change
    from workflows.domain.errors import DomainError
    from workflows.domain.unit.clock import unit_escalations_due
    from workflows.domain.unit.commands import (
        AcknowledgeHandover,
        RecordBuildingCheck,
        RecordHouseMeeting,
        RecordUnitCheck,
    )
    from workflows.domain.unit.decide import (
        UnitCommand,
        decide_unit,
        open_unit,
        unit_notification_failed,
    )
    from workflows.domain.unit.due import UnitDeadline, due, next_wake_at
    from workflows.domain.unit.events import UNIT_EVENTS, UnitEvent, unit_stream_id
    from workflows.domain.unit.handover import UnitHandover, unit_handover
    from workflows.domain.unit.membership import KeptReports, PlacementReport, membership_changes
    from workflows.domain.unit.notices import unit_notices_for
    from workflows.domain.unit.owed import ToPlacement, owed_to_placements
    from workflows.domain.unit.policy import UnitPolicy
    from workflows.domain.unit.state import UnitState, evolve_unit, initial_unit_state
    from workflows.refusal import refusal
    from workflows.stream import EventStream
    from workflows.stream_rules import Batching, RunLimits, StreamRules, history_bytes_limit

__all__ = ["PLACEMENT_REPORTED", "UnitWorkflow", "unit_workflow_id"]


def _notification_failed(state: UnitState, /, **facts: Any) -> list[UnitEvent]:
    if not has_change(UNIT_FAILED_NOTICES_ESCALATED):
        return []
    return unit_notification_failed(state, **facts)


UNIT_STREAM = StreamRules[UnitState, UnitEvent](
    evolve=evolve_unit,
    catalog=UNIT_EVENTS,
    notices_for=lambda _state, event: unit_notices_for(event),
    notification_failed=_notification_failed,
)


@workflow.defn
class UnitWorkflow:
    @workflow.init
    def __init__(self, unit: UnitInput) -> None:
        begin_run()
        # What the placements last reported, and what the unit owes them but has not yet told.
        carried = unit.carried
        self._reports = KeptReports(() if carried is None else carried.reports.values())
        self._untold: list[ToPlacement] = [] if carried is None else list(carried.untold)
        self._telling = False
        # Built here, not in run(): the signal that started the workflow (signal-with-start)
        # is handled before run() begins, and must find the unit opened.
        self._input = unit
        # The policy the stream started with: its clocks, ladders and check intervals.
        self.policy: UnitPolicy = unit.policy
        self._stream = EventStream(
            UNIT_STREAM,
            initial_unit_state(unit_stream_id(unit.unit_id)),
            limits=RunLimits(
                history_length=unit.max_history_length,
                history_bytes=history_bytes_limit(unit.history_bytes_per_run),
            ),
            batching=Batching(within=unit.persist_within, size=unit.persist_batch),
            carried=carried,
            after_apply=self._after_apply,
        )
        if carried is None:
            self._stream.apply(open_unit(self.state, unit.unit_id, workflow.now()))

    # -- the run -------------------------------------------------------------------------

    @workflow.run
    async def run(self, unit: UnitInput) -> None:
        self._stream.start_persister()
        teller = asyncio.create_task(self._tell_placements_forever())
        self._stream.resume_deliveries()
        while True:  # a unit never ends: it continues as new
            self._stream.apply(unit_escalations_due(self.state, workflow.now(), self.policy))
            if self._stream.should_continue_as_new():
                await self._continue_as_new(teller)  # returns when a step is due first
            await self._stream.sleep_until(self._next_wake_at())

    # -- what the placements report ----------------------------------------------------

    @workflow.signal(name=PLACEMENT_REPORTED)
    def placement_reported(self, report: PlacementReport) -> None:
        if not self._reports.is_newer(report):
            return  # a late or repeated report
        self._stream.apply(membership_changes(self.state, report, workflow.now()))
        self._reports.keep(report)

    # -- what staff record ----------------------------------------------------------------

    @workflow.update
    def record_check(self, command: RecordUnitCheck) -> RecordResult:
        return self._record(command)

    @record_check.validator
    def _validate_check(self, command: RecordUnitCheck) -> None:
        self._decide(command)

    @workflow.update
    def record_house_meeting(self, command: RecordHouseMeeting) -> RecordResult:
        return self._record(command)

    @record_house_meeting.validator
    def _validate_house_meeting(self, command: RecordHouseMeeting) -> None:
        self._decide(command)

    @workflow.update
    def record_building_check(self, command: RecordBuildingCheck) -> RecordResult:
        return self._record(command)

    @record_building_check.validator
    def _validate_building_check(self, command: RecordBuildingCheck) -> None:
        self._decide(command)

    @workflow.update
    def record_handover_acknowledged(self, command: AcknowledgeHandover) -> RecordResult:
        return self._record(command)

    @record_handover_acknowledged.validator
    def _validate_handover(self, command: AcknowledgeHandover) -> None:
        self._decide(command)

    def _decide(self, command: UnitCommand) -> list[UnitEvent]:
        try:
            return decide_unit(self.state, command, now=workflow.now(), policy=self.policy)
        except DomainError as error:
            raise refusal(error) from error

    def _record(self, command: UnitCommand) -> RecordResult:
        events = self._decide(command)
        self._stream.apply(events)
        return RecordResult(version=self.state.version, events=[e.type for e in events])

    # -- queries -------------------------------------------------------------------------

    @workflow.query
    def handover(self) -> UnitHandover:
        """What the incoming shift must know (R16): the unit's duties and each resident."""
        return unit_handover(self.state, self._resident_reports(), workflow.now(), self.policy)

    @workflow.query
    def open_deadlines(self) -> list[UnitDeadline]:
        return due(self.state, workflow.now(), self.policy)

    @workflow.query
    def current_state(self) -> UnitState:
        return self.state

    # -- state -----------------------------------------------------------------------------

    @property
    def state(self) -> UnitState:
        return self._stream.state

    def _resident_reports(self) -> dict[str, PlacementReport]:
        return self._reports.of(r.placement_id for r in self.state.residents)

    def _next_wake_at(self) -> datetime | None:
        return next_wake_at(self.state, workflow.now(), self.policy)

    def _after_apply(self, events: Sequence[UnitEvent]) -> None:
        for event in events:
            self._untold.extend(owed_to_placements(event))

    # -- telling the placements ------------------------------------------------------------

    async def _tell_placements_forever(self) -> None:
        while True:
            await workflow.wait_condition(lambda: bool(self._untold))
            message = self._untold[0]
            self._telling = True
            try:
                placement = workflow.get_external_workflow_handle(
                    placement_workflow_id(message.placement_id)
                )
                await placement.signal(RECORD_FROM_UNIT, message.command)
            except FailureError as failure:
                # The placement's workflow is gone (ended and closed): nobody left to tell.
                workflow.logger.warning(
                    "placement not told: its workflow is not running",
                    extra={"placement_id": message.placement_id, "reason": type(failure).__name__},
                )
            finally:
                self._telling = False
            self._untold.pop(0)

    # -- continue-as-new -----------------------------------------------------------------

    async def _continue_as_new(self, teller: asyncio.Task[None]) -> None:
        # Deliveries land first too, so no activity is left running for a closed run (the
        # time-skipping test server was seen to stop skipping time while one was).
        await self._stream.continue_as_new(
            lambda carried: self._input.model_copy(
                update={
                    "carried": CarriedUnit(
                        **carried, reports=self._resident_reports(), untold=self._untold
                    )
                }
            ),
            settle_deliveries=True,
            quiet=lambda: not self._telling,
            wake_at=self._next_wake_at(),
            background=[teller],
        )
