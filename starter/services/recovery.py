"""Disaster recovery from the audit trail (``safeside recover``): every unit's workflow and
every open placement's, started again from its stream in PostgreSQL, on a Temporal namespace
that has lost them (its database lost, or a new cluster).

Each resumes at its stored version with its clocks (``activities.resumption``): escalations
already stored are not raised again, steps that fell due while Temporal was gone are raised
once. Units go first, so each is running before its placements report to it. A workflow still
running is left alone; one that has closed (terminated, failed) while its stream is open is
started again; an ended placement is not. Running it twice is safe: the second run finds
everything running. Ids only in what it says: they are opaque.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities import resumption
from activities.errors import UnreadableStream
from safeside.contracts.workflows import PLACEMENT_REPORTED, PlacementInput, UnitInput
from safeside.db import Pool
from safeside.errors import SafesideError
from safeside.ids import placement_workflow_id, unit_workflow_id
from workflows.domain.policy import Policy
from workflows.domain.state import PlacementState, PlacementStatus
from workflows.domain.summary import handover_summary
from workflows.domain.unit.membership import PlacementReport
from workflows.domain.unit.state import Resident
from workflows.placement import PlacementWorkflow
from workflows.unit import UnitWorkflow


class Outcome(StrEnum):
    recovered = "recovered"
    would_recover = "would recover"
    already_running = "already running"
    ended = "ended, skipped"
    failed = "failed"


@dataclass(frozen=True)
class StreamRecovered:
    """What became of one stream: a line of the command's progress."""

    kind: str  # "placement" or "unit"
    stream_id: str
    version: int
    outcome: Outcome
    # Why it failed, or what else was done (ids only).
    note: str | None = None


class RecoveryFailed(SafesideError):
    """A server stopped answering part-way: what was started stays started, and a second run
    carries on from there."""


Progress = Callable[[int, int, StreamRecovered], None]


async def recover(
    client: Client,
    pool: Pool,
    *,
    policy: Policy,
    task_queue: str,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Counter[Outcome]:
    """Recover every stream of the event store; how many of each outcome. ``dry_run``: say
    what would be started, and start nothing."""
    streams = await resumption.stream_ids(pool)
    recovery = _Recovery(client, pool, policy=policy, task_queue=task_queue, dry_run=dry_run)
    outcomes: Counter[Outcome] = Counter()
    for done, stream_id in enumerate(streams, start=1):
        recovered = await recovery.stream(stream_id)
        outcomes[recovered.outcome] += 1
        if progress is not None:
            progress(done, len(streams), recovered)
    return outcomes


class _Recovery:
    def __init__(
        self, client: Client, pool: Pool, *, policy: Policy, task_queue: str, dry_run: bool
    ) -> None:
        self._client = client
        self._pool = pool
        self._policy = policy
        self._task_queue = task_queue
        self._dry_run = dry_run

    async def stream(self, stream_id: str) -> StreamRecovered:
        stored = await resumption.read_stream(self._pool, stream_id)
        kind = "unit" if stored.is_unit else "placement"
        try:
            if stored.is_unit:
                return await self._unit(resumption.unit_input(stored))
            return await self._placement(resumption.placement_input(stored, self._policy))
        except UnreadableStream as exc:
            return StreamRecovered(kind, stream_id, len(stored.events), Outcome.failed, str(exc))

    async def _placement(self, placement: PlacementInput) -> StreamRecovered:
        assert placement.carried is not None
        version = placement.carried.state.version
        if not resumption.is_open(placement):
            return StreamRecovered("placement", placement.placement_id, version, Outcome.ended)
        outcome = await self._start(
            PlacementWorkflow.run, placement, placement_workflow_id(placement.placement_id)
        )
        return StreamRecovered("placement", placement.placement_id, version, outcome)

    async def _unit(self, unit: UnitInput) -> StreamRecovered:
        assert unit.carried is not None  # a stream with events carries its state
        state = unit.carried.state
        outcome = await self._start(UnitWorkflow.run, unit, unit_workflow_id(unit.unit_id))
        note = None
        if outcome is Outcome.recovered:
            left = await self._tell_of_residents_who_left(unit.unit_id, state.residents)
            note = f"told it {left} resident(s) had left" if left else None
        return StreamRecovered("unit", state.stream_id, state.version, outcome, note)

    async def _start(self, run: Any, start_input: Any, workflow_id: str) -> Outcome:
        if self._dry_run:
            running = await self._running(workflow_id)
            return Outcome.already_running if running else Outcome.would_recover
        try:
            await self._client.start_workflow(
                run,
                start_input,
                id=workflow_id,
                task_queue=self._task_queue,
                # A run closed (terminated, failed) while its stream is open is started again.
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            )
        except WorkflowAlreadyStartedError:
            return Outcome.already_running
        except RPCError as error:
            raise self._unanswered(error) from error
        return Outcome.recovered

    async def _running(self, workflow_id: str) -> bool:
        try:
            described = await self._client.get_workflow_handle(workflow_id).describe()
        except RPCError as error:
            if error.status is RPCStatusCode.NOT_FOUND:
                return False
            raise self._unanswered(error) from error
        return described.status is WorkflowExecutionStatus.RUNNING

    async def _tell_of_residents_who_left(self, unit_id: str, residents: Sequence[Resident]) -> int:
        """A placement that ended while its unit's last events were not yet stored (a unit
        stores in batches) is still a resident in the unit's stream, and its checks would run
        on: its report that it ended is sent again, so the unit records that it left."""
        told = 0
        for resident in residents:
            stored = await resumption.read_stream(self._pool, resident.placement_id)
            carried = resumption.placement_input(stored, self._policy).carried
            report = None if carried is None else self._ended_report(unit_id, carried.state)
            if report is None:
                continue
            try:
                await self._client.get_workflow_handle(unit_workflow_id(unit_id)).signal(
                    PLACEMENT_REPORTED, report
                )
            except RPCError as error:
                raise self._unanswered(error) from error
            told += 1
        return told

    def _ended_report(self, unit_id: str, state: PlacementState) -> PlacementReport | None:
        """The report an ended placement made last; None for one not ended."""
        if state.status is not PlacementStatus.ended or state.facts is None:
            return None
        return PlacementReport(
            unit_id=unit_id,
            placement_id=state.stream_id,
            version=state.version,
            status=state.status,
            arrived_at=state.facts.arrived_at,
            risk_level=state.risk_level,
            summary=handover_summary(state, datetime.now(UTC), state.policy or self._policy),
        )

    def _unanswered(self, error: RPCError) -> RecoveryFailed:
        return RecoveryFailed(
            f"the Temporal server at {self._client.service_client.config.target_host} "
            f"(namespace {self._client.namespace}) did not start what it was asked to "
            f"({error.status.name}): what was started stays started; run `safeside recover` "
            "again once it answers (check SAFESIDE_TEMPORAL_ADDRESS and "
            "SAFESIDE_TEMPORAL_NAMESPACE)"
        )
