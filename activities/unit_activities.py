"""The activity by which a placement reports itself to its unit's workflow (R4, R16).

The report is a signal to the unit's running workflow: the common case, one call. When none
is running, the first report that needs it starts it, so no one has to remember to open a
unit before its first child arrives and a report is never lost to a workflow that does not
exist. A unit whose workflow was terminated (or lost with Temporal's data) has a stream in
PostgreSQL: it starts again from there, at its stored version (``activities.resumption``),
never at version 1, which would conflict with what is stored. Only a unit with nothing stored
starts new. The stream is read only on that path, not for every report.

The start is a signal-with-start, so two reports that both found the unit not running cannot
start it twice: the second signals the run the first started. The workflow id is derived
from the opaque unit id, so every report for a unit reaches the one workflow.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog
from temporalio import activity
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from activities import resumption
from activities.errors import ActivityError, StoreUnavailable
from safeside.contracts.activities import ActivityName
from safeside.contracts.workflows import PLACEMENT_REPORTED, UNIT_WORKFLOW_TYPE, UnitInput
from safeside.db import Pool
from safeside.ids import unit_workflow_id
from workflows.domain.unit.events import unit_stream_id
from workflows.domain.unit.membership import PlacementReport

# The unit's next run as its stored stream makes it, given the unit id.
ResumeUnit = Callable[[str], Awaitable[UnitInput]]


async def report(
    client: Client, placement_report: PlacementReport, *, task_queue: str, resume: ResumeUnit
) -> None:
    """Signal the unit's running workflow; none running, start it from ``resume`` with the
    report as its first signal. RPCError when the server does not answer."""
    unit_id = placement_report.unit_id
    workflow_id = unit_workflow_id(unit_id)
    try:
        await client.get_workflow_handle(workflow_id).signal(PLACEMENT_REPORTED, placement_report)
        return
    except RPCError as exc:
        if exc.status is not RPCStatusCode.NOT_FOUND:  # also a run that has closed
            raise
    await client.start_workflow(
        UNIT_WORKFLOW_TYPE,
        await resume(unit_id),
        id=workflow_id,
        task_queue=task_queue,
        start_signal=PLACEMENT_REPORTED,
        start_signal_args=[placement_report],
    )


class UnitReportActivities:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def _stored_unit(self, unit_id: str) -> UnitInput:
        stored = await resumption.read_stream(self._pool, unit_stream_id(unit_id))
        return resumption.unit_input(stored)

    async def send(self, placement_report: PlacementReport) -> None:
        """Report to the unit from inside an activity: this one, or the append that carried
        the report."""
        await report(
            activity.client(),
            placement_report,
            task_queue=activity.info().task_queue,
            resume=self._stored_unit,
        )

    @activity.defn(name=ActivityName.REPORT_TO_UNIT)
    async def report_to_unit(self, placement_report: PlacementReport) -> None:
        with structlog.contextvars.bound_contextvars(
            placement_id=placement_report.placement_id, unit_id=placement_report.unit_id
        ):
            try:
                await self.send(placement_report)
            except ActivityError as exc:
                # Retried by the placement's policy until the unit has the report.
                raise exc.to_application_error() from exc
            except RPCError as exc:
                raise StoreUnavailable(
                    f"the report of placement {placement_report.placement_id} did not reach "
                    f"unit {placement_report.unit_id} ({exc.status.name})"
                ).to_application_error() from exc
