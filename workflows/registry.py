"""The workflow classes a worker registers, and the sandbox they run in."""

from __future__ import annotations

from temporalio.worker import UnsandboxedWorkflowRunner, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from workflows.placement import PlacementWorkflow
from workflows.unit import UnitWorkflow

WORKFLOWS: list[type] = [PlacementWorkflow, UnitWorkflow]

# The bank-holiday calendar (``holidays``, which builds on ``dateutil``) is deterministic for a
# given year but reads the clock once when its parser module loads: imported outside the
# sandbox instead of again in every workflow.
_PASSED_THROUGH = ("holidays", "dateutil", "six")


def workflow_runner(*, strict: bool = False) -> WorkflowRunner:
    """How workflows run: ``strict`` in the sandbox, as every test worker and every replay of a
    saved history runs them, so that a call that is not deterministic in workflow code (the
    clock, randomness, files, a module's global state) fails the tests before it ships; a
    worker runs them without it.

    The sandbox's price was measured (``make bench``, docs/benchmarks.md): it imports the
    workflow's modules afresh for every workflow it holds (about 85 KiB of memory a cached
    placement, nearly a quarter of the total) and passes every payload's serialization context
    through an ``exec`` in the sandbox (about a sixth of the worker's CPU under a burst of
    escalations; bench/LEVERS.md).
    Its checks guard code that does not change while a worker runs, and the tests run every
    workflow path under them.
    """
    if not strict:
        return UnsandboxedWorkflowRunner()
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*_PASSED_THROUGH)
    )
