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
import contextlib
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from activities.contracts import (
        OutboxMessage,
    )
    from safeside.ids import placement_workflow_id, unit_workflow_id
    from workflows.domain.commands import RecordSuspiciousActivity, ReportMissing
    from workflows.domain.common import MissingKind
    from workflows.domain.errors import DomainError
    from workflows.domain.unit.clock import unit_escalations_due
    from workflows.domain.unit.commands import (
        AcknowledgeHandover,
        RecordBuildingCheck,
        RecordHouseMeeting,
        RecordUnitCheck,
    )
    from workflows.domain.unit.due import UnitDeadline, due, next_wake_at
    from workflows.domain.unit.events import (
        BuildingCheckRecorded,
        MissingProcedureRequested,
        UnitEvent,
        unit_stream_id,
    )
    from workflows.domain.unit.handover import UnitHandover, unit_handover
    from workflows.domain.unit.membership import PlacementReport, is_newer, membership_changes
    from workflows.domain.unit.policy import UnitPolicy
    from workflows.domain.unit.state import UnitState, evolve_unit, initial_unit_state
    from workflows.domain.unit.unit_checks import UnitCommand, decide_unit, open_unit
    from workflows.placement import RECORD_FROM_UNIT, refusal
    from workflows.store_calls import Delivery, append_batch, deliver, deliveries_for, mark_failed
    from workflows.unit_io import (
        PLACEMENT_REPORTED,
        CarriedUnit,
        ToPlacement,
        UnitInput,
        UnitRecordResult,
    )
    from workflows.unit_stored import unit_notifications_for, unit_to_stored

__all__ = ["PLACEMENT_REPORTED", "UnitWorkflow", "unit_workflow_id"]


@workflow.defn
class UnitWorkflow:
    @workflow.init
    def __init__(self, unit: UnitInput) -> None:
        # Built here, not in run(): the signal that started the workflow (signal-with-start)
        # is handled before run() begins, and must find the unit opened.
        self._input = unit
        self._state = initial_unit_state(unit_stream_id(unit.unit_id))
        self._reports: dict[str, PlacementReport] = {}
        self._unpersisted: list[UnitEvent] = []
        self._unpersisted_notifications: list[OutboxMessage] = []
        self._undelivered: dict[str, OutboxMessage] = {}
        self._untold: list[ToPlacement] = []
        self._deliveries: set[asyncio.Task[None]] = set()
        self._appending = False
        self._telling = False
        self._changed = False
        if unit.carried is not None:
            self._resume(unit.carried)
        else:
            self._apply(open_unit(self._state, unit.unit_id, workflow.now()))

    # -- the run -------------------------------------------------------------------------

    @workflow.run
    async def run(self, unit: UnitInput) -> None:
        persister = asyncio.create_task(self._persist_forever())
        teller = asyncio.create_task(self._tell_placements_forever())
        self._start_deliveries(list(self._undelivered.values()))
        while True:  # a unit never ends: it continues as new
            self._apply(unit_escalations_due(self.state, workflow.now(), self.policy))
            if self._should_continue_as_new():
                await self._continue_as_new(persister, teller)
            await self._sleep_until_next_step(persister)

    async def _sleep_until_next_step(self, persister: asyncio.Task[None]) -> None:
        wake_at = next_wake_at(self.state, workflow.now(), self.policy)
        self._changed = False
        timeout = None if wake_at is None else max(wake_at - workflow.now(), timedelta(0))
        with contextlib.suppress(TimeoutError):  # a timeout means a step is due
            await workflow.wait_condition(
                lambda: self._changed or self._should_continue_as_new() or persister.done(),
                timeout=timeout,
            )
        if persister.done():
            # Fail the task, not the workflow: the unit's timers survive while someone looks.
            raise RuntimeError(
                f"events of {self.state.stream_id} could not be stored"
            ) from persister.exception()

    # -- what the placements report ----------------------------------------------------

    @workflow.signal(name=PLACEMENT_REPORTED)
    def placement_reported(self, report: PlacementReport) -> None:
        if not is_newer(report, self._reports.get(report.placement_id)):
            return  # a late or repeated report
        self._apply(membership_changes(self.state, report, workflow.now()))
        self._reports[report.placement_id] = report

    # -- what staff record ----------------------------------------------------------------

    @workflow.update
    def record_check(self, command: RecordUnitCheck) -> UnitRecordResult:
        return self._record(command)

    @record_check.validator
    def _validate_check(self, command: RecordUnitCheck) -> None:
        self._decide(command)

    @workflow.update
    def record_house_meeting(self, command: RecordHouseMeeting) -> UnitRecordResult:
        return self._record(command)

    @record_house_meeting.validator
    def _validate_house_meeting(self, command: RecordHouseMeeting) -> None:
        self._decide(command)

    @workflow.update
    def record_building_check(self, command: RecordBuildingCheck) -> UnitRecordResult:
        return self._record(command)

    @record_building_check.validator
    def _validate_building_check(self, command: RecordBuildingCheck) -> None:
        self._decide(command)

    @workflow.update
    def record_handover_acknowledged(self, command: AcknowledgeHandover) -> UnitRecordResult:
        return self._record(command)

    @record_handover_acknowledged.validator
    def _validate_handover(self, command: AcknowledgeHandover) -> None:
        self._decide(command)

    def _decide(self, command: UnitCommand) -> list[UnitEvent]:
        try:
            return decide_unit(self.state, command, now=workflow.now(), policy=self.policy)
        except DomainError as error:
            raise refusal(error) from error

    def _record(self, command: UnitCommand) -> UnitRecordResult:
        events = self._decide(command)
        self._apply(events)
        return UnitRecordResult(version=self.state.version, events=[e.type for e in events])

    # -- queries -------------------------------------------------------------------------

    @workflow.query
    def current_state(self) -> UnitState:
        return self.state

    @workflow.query
    def open_deadlines(self) -> list[UnitDeadline]:
        return due(self.state, workflow.now(), self.policy)

    @workflow.query
    def handover(self) -> UnitHandover:
        return unit_handover(self.state, self._resident_reports(), workflow.now(), self.policy)

    # -- state -----------------------------------------------------------------------------

    @property
    def state(self) -> UnitState:
        return self._state

    @property
    def policy(self) -> UnitPolicy:
        return self._input.policy

    def _resident_reports(self) -> dict[str, PlacementReport]:
        return {
            r.placement_id: self._reports[r.placement_id]
            for r in self.state.residents
            if r.placement_id in self._reports
        }

    def _apply(self, events: list[UnitEvent]) -> None:
        for event in events:
            self._state = evolve_unit(self.state, event)
            self._unpersisted.append(event)
            self._unpersisted_notifications.extend(unit_notifications_for(event))
            self._untold.extend(self._owed_to_placements(event))
        if events:
            self._changed = True

    def _owed_to_placements(self, event: UnitEvent) -> list[ToPlacement]:
        match event:
            case MissingProcedureRequested():
                check = f"{self._input.unit_id}-C{event.check_number}"
                why = (
                    None
                    if event.reason == "not_seen"
                    else f"not back when an authorised absence ended (unit check {check})"
                )
                command = ReportMissing(
                    actor=event.actor,
                    kind=MissingKind.missing,
                    last_seen_at=event.last_seen_at,
                    circumstances=why,
                    unit_check_reference=check,
                )
                return [ToPlacement(placement_id=event.placement_id, command=command)]
            case BuildingCheckRecorded():
                return [
                    ToPlacement(
                        placement_id=concern.placement_id,
                        command=RecordSuspiciousActivity(
                            actor=event.actor,
                            category=concern.category,
                            note_reference_or_text=concern.note_reference_or_text,
                            observed_at=event.checked_at,
                        ),
                    )
                    for concern in event.concerns
                    if concern.placement_id is not None
                ]
            case _:
                return []

    def _resume(self, carried: CarriedUnit) -> None:
        self._state = carried.state
        self._reports = dict(carried.reports)
        self._unpersisted = list(carried.unpersisted)
        self._unpersisted_notifications = list(carried.unpersisted_notifications)
        self._undelivered = {m.idempotency_key: m for m in carried.undelivered}
        self._untold = list(carried.untold)

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

    # -- persistence and notifications -----------------------------------------------------

    def _append_now(self) -> bool:
        return (
            bool(self._unpersisted_notifications)
            or len(self._unpersisted) >= self._input.persist_batch
        )

    async def _persist_forever(self) -> None:
        while True:
            await workflow.wait_condition(lambda: bool(self._unpersisted))
            # Batch: hourly checks are stored a few at a time, escalations at once.
            oldest = self._unpersisted[0].occurred_at
            wait = oldest + self._input.persist_within - workflow.now()
            if wait > timedelta(0) and not self._append_now():
                with contextlib.suppress(TimeoutError):
                    await workflow.wait_condition(self._append_now, timeout=wait)
            events = list(self._unpersisted)
            notifications = list(self._unpersisted_notifications)
            self._appending = True
            try:
                owed = await append_batch(
                    self.state.stream_id,
                    [unit_to_stored(event) for event in events],
                    notifications,
                )
            finally:
                self._appending = False
            del self._unpersisted[: len(events)]
            del self._unpersisted_notifications[: len(notifications)]
            for message in owed:
                self._undelivered[message.idempotency_key] = message
            self._start_deliveries(owed)

    def _start_deliveries(self, messages: list[OutboxMessage]) -> None:
        for delivery in deliveries_for(messages):
            task = asyncio.create_task(self._deliver(delivery))
            self._deliveries.add(task)
            task.add_done_callback(self._deliveries.discard)

    async def _deliver(self, delivery: Delivery) -> None:
        failure = await deliver(delivery)
        if failure is not None:
            # Shown as failed in the outbox (a delivered one of the batch stays delivered),
            # where the dashboard of failed notices reads it.
            for message in delivery.messages:
                await mark_failed(message, failure)
        for message in delivery.messages:
            self._undelivered.pop(message.idempotency_key, None)

    # -- continue-as-new -----------------------------------------------------------------

    def _should_continue_as_new(self) -> bool:
        info = workflow.info()
        return (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() >= self._input.max_history_length
        )

    async def _continue_as_new(
        self, persister: asyncio.Task[None], teller: asyncio.Task[None]
    ) -> None:
        # Running updates finish, and an append, a signal or a delivery in flight lands, so the
        # next run starts from a state every caller has seen acknowledged and no activity is
        # left running for a closed run (the time-skipping test server was seen to stop
        # skipping time while one was).
        await workflow.wait_condition(
            lambda: (
                workflow.all_handlers_finished()
                and not self._appending
                and not self._telling
                and not self._deliveries
            )
        )
        persister.cancel()
        teller.cancel()
        workflow.continue_as_new(
            self._input.model_copy(
                update={
                    "carried": CarriedUnit(
                        state=self.state,
                        reports=self._resident_reports(),
                        unpersisted=self._unpersisted,
                        unpersisted_notifications=self._unpersisted_notifications,
                        undelivered=list(self._undelivered.values()),
                        untold=self._untold,
                    )
                }
            )
        )
