"""Every saved history replays against the current workflow code.

A failure here means a change to workflow code alters what an open placement's workflow does
on replay: guard the change with ``workflows.changes.has_change`` and save a new history
beside the old ones (README, "Changing workflow code").
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner

from safeside.contracts.workflows import PlacementInput, PlacementOutcome
from tests.replay.converter import HISTORIES, replay_data_converter
from tests.replay.record_histories import SCENARIOS
from workflows.placement import PlacementWorkflow
from workflows.registry import WORKFLOWS, workflow_runner

SAVED = sorted(HISTORIES.rglob("*.json"))
SAVED = [path for path in SAVED if path.name != "test-keyring.json"]


def load(path: Path) -> WorkflowHistory:
    # The workflow id plays no part in replay; the file name says which story it is.
    return WorkflowHistory.from_json(f"replay-{path.stem}", path.read_text())


def test_every_scenario_has_a_saved_history() -> None:
    saved = {path.name.split(".run")[0] for path in SAVED}
    assert set(SCENARIOS) <= saved


def test_a_continue_as_new_scenario_saves_every_run() -> None:
    runs = [path for path in SAVED if path.name.startswith("continue_as_new_boundaries.run")]
    assert len(runs) >= 3


@pytest.mark.parametrize("path", SAVED, ids=[str(p.relative_to(HISTORIES)) for p in SAVED])
async def test_a_saved_history_replays_against_the_current_code(path: Path) -> None:
    replayer = Replayer(
        workflows=WORKFLOWS,
        workflow_runner=workflow_runner(strict=True),
        data_converter=replay_data_converter(),
    )
    result = await replayer.replay_workflow(load(path))
    assert result.replay_failure is None


@workflow.defn(name="PlacementWorkflow")
class PlacementWorkflowThatWaitsFirst(PlacementWorkflow):
    """A behaviour change made without ``workflow.patched``: a timer before the first step."""

    @workflow.run
    async def run(self, placement: PlacementInput) -> PlacementOutcome:
        await workflow.sleep(timedelta(seconds=1))
        return await super().run(placement)


async def test_an_unguarded_change_of_behaviour_fails_replay() -> None:
    replayer = Replayer(
        workflows=[PlacementWorkflowThatWaitsFirst],
        workflow_runner=UnsandboxedWorkflowRunner(),
        data_converter=replay_data_converter(),
    )
    with pytest.raises(workflow.NondeterminismError):
        await replayer.replay_workflow(load(HISTORIES / "quiet_placement.run1.json"))
