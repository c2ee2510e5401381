"""The activity by which a placement reports itself to its unit's workflow (R4, R16).

Signal-with-start: the unit's workflow is started by the first report that needs it, so no
one has to remember to open a unit before its first child arrives, and a report is never lost
to a unit workflow that does not exist yet. The workflow id is derived from the opaque unit
id, so every report for a unit reaches the one workflow.
"""

from __future__ import annotations

import structlog
from temporalio import activity
from temporalio.service import RPCError

from activities.errors import StoreUnavailable
from safeside.contracts.activities import ActivityName
from safeside.contracts.workflows import PLACEMENT_REPORTED, UNIT_WORKFLOW_TYPE, UnitInput
from safeside.ids import unit_workflow_id
from workflows.domain.unit.membership import PlacementReport


@activity.defn(name=ActivityName.REPORT_TO_UNIT)
async def report_to_unit(report: PlacementReport) -> None:
    with structlog.contextvars.bound_contextvars(
        placement_id=report.placement_id, unit_id=report.unit_id
    ):
        try:
            await activity.client().start_workflow(
                UNIT_WORKFLOW_TYPE,
                UnitInput(unit_id=report.unit_id),
                id=unit_workflow_id(report.unit_id),
                task_queue=activity.info().task_queue,
                start_signal=PLACEMENT_REPORTED,
                start_signal_args=[report],
            )
        except RPCError as exc:
            # Retried by the placement's policy until the unit has the report.
            raise StoreUnavailable(
                f"the report of placement {report.placement_id} did not reach unit "
                f"{report.unit_id} ({exc.status.name})"
            ).to_application_error() from exc
