"""Regenerate the saved workflow histories under ``tests/replay/histories/``.

    python -m tests.replay.record_histories            # every scenario
    python -m tests.replay.record_histories quiet_placement missing_episode
    make replay-histories

Each scenario runs on a time-skipping server of its own with in-memory activities, through the
project's data converter (``safeside.temporal.data_converter``), so the saved payloads are in
whatever form workers really see (encrypted, once the codec lands). Every run of the workflow
is saved as ``<scenario>.run<N>.json`` (the JSON of ``WorkflowHistory.to_json()``, which the
``temporal`` CLI and web UI read too).

Regenerating overwrites the files of the current behaviour. After a change in workflow
behaviour (guarded by ``workflows.changes.has_change``), keep the old files: move them to a
folder named for the old behaviour (``histories/<before-change>/``) first; the replay test reads
every folder.
"""

from __future__ import annotations

import argparse
import asyncio
import uuid
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory
from temporalio.testing import WorkflowEnvironment

from safeside.embedded.processes import find_binary
from safeside.process_exit import leave
from tests.replay.converter import HISTORIES, replay_data_converter
from tests.replay.scenarios import PLACEMENT_SCENARIOS, UNIT_SCENARIOS, Scenario, UnitScenario
from tests.support.running import running_placement
from tests.support.units import running_unit

SCENARIOS = {scenario.name: scenario for scenario in [*PLACEMENT_SCENARIOS, *UNIT_SCENARIOS]}


async def every_run(client: Client, workflow_id: str, first_run_id: str) -> list[WorkflowHistory]:
    """The history of each run of a workflow, following its continue-as-new chain."""
    histories = []
    run_id: str | None = first_run_id
    while run_id is not None:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        histories.append(history)
        last = history.events[-1]
        run_id = None
        if last.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
            attributes = last.workflow_execution_continued_as_new_event_attributes
            run_id = attributes.new_execution_run_id
    return histories


async def record(
    env: WorkflowEnvironment, scenario: Scenario | UnitScenario
) -> list[WorkflowHistory]:
    task_queue = f"record-{scenario.name}-{uuid.uuid4().hex[:8]}"
    if isinstance(scenario, UnitScenario):
        async with running_unit(env, task_queue, unreachable=scenario.unreachable) as unit:
            await scenario.story(unit)
            assert unit.first_run_id is not None
            return await every_run(env.client, unit.handle.id, unit.first_run_id)
    async with running_placement(
        env, task_queue, events_per_run=scenario.events_per_run, fakes=scenario.fakes()
    ) as placement:
        await scenario.story(placement)
        first_run_id = placement.handle.first_execution_run_id or placement.handle.run_id
        assert first_run_id is not None
        return await every_run(env.client, placement.handle.id, first_run_id)


def save(scenario: str, histories: list[WorkflowHistory], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(f"{scenario}.run*.json"):
        stale.unlink()
    paths = []
    for number, history in enumerate(histories, start=1):
        path = folder / f"{scenario}.run{number}.json"
        path.write_text(history.to_json() + "\n")
        paths.append(path)
    return paths


async def record_all(names: list[str], folder: Path) -> None:
    for name in names:
        env = await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=str(find_binary("temporal-test-server")),
            data_converter=replay_data_converter(create_keyring=True),
        )
        try:
            histories = await record(env, SCENARIOS[name])
        finally:
            await env.shutdown()
        for path in save(name, histories, folder):
            print(f"saved {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO", help=", ".join(SCENARIOS))
    parser.add_argument("--out", type=Path, default=HISTORIES, help="folder to write into")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.scenarios) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenarios {unknown}: choose from {', '.join(SCENARIOS)}")
    asyncio.run(record_all(args.scenarios or list(SCENARIOS), args.out))
    return 0


if __name__ == "__main__":
    leave(main())
