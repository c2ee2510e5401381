"""An action on a workflow no worker serves (the worker stopped, or never started on that
task queue) answers "no worker answered" within a time limit, never waits for ever."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.testing import WorkflowEnvironment

from safeside.contracts.workflows import UnitInput
from safeside.errors import ServiceUnavailable
from starter.services import units, workflow_calls
from tests.support.placements import KEY_WORKER, new_placement_id
from workflows.domain.unit.commands import RecordUnitCheck
from workflows.unit import UnitWorkflow, unit_workflow_id

# Far above the shortened limit, far below the wait a user would call hung.
ANSWERED_WITHIN = 20


async def test_an_action_on_a_unit_nobody_serves_answers_no_worker_in_time(
    dev_env: WorkflowEnvironment, task_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workflow_calls, "UPDATE_TIMEOUT", timedelta(seconds=3))
    unit_id = f"UNIT-{new_placement_id()}"
    await dev_env.client.start_workflow(
        UnitWorkflow.run,
        UnitInput(unit_id=unit_id),
        id=unit_workflow_id(unit_id),
        task_queue=f"{task_queue}-nobody-polls",
    )
    check = RecordUnitCheck(actor=KEY_WORKER, checked_at=datetime.now(UTC), entries=())
    with pytest.raises(ServiceUnavailable, match="no worker answered"):
        await asyncio.wait_for(
            units.record_on_unit(dev_env.client, unit_id, check), ANSWERED_WITHIN
        )
