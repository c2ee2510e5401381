"""The workflow classes a worker registers, and the sandbox they run in."""

from __future__ import annotations

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from workflows.placement import PlacementWorkflow
from workflows.unit import UnitWorkflow

WORKFLOWS: list[type] = [PlacementWorkflow, UnitWorkflow]

# The bank-holiday calendar (``holidays``, which builds on ``dateutil``) is deterministic for a
# given year but reads the clock once when its parser module loads: import it outside the
# sandbox instead of re-importing it in every workflow.
_PASSED_THROUGH = ("holidays", "dateutil", "six")


def workflow_runner() -> SandboxedWorkflowRunner:
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*_PASSED_THROUGH)
    )
