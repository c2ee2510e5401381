"""`safeside recover` from the operator's side: a dry run lists what it would start and starts
nothing; a run starts a placement whose workflow was terminated while its stream is open,
leaves what is running alone and skips what ended, and a second run finds everything running;
a stream that cannot be read is named and the rest recovered; bad input and a missing server
are one line each with the status scripts rely on. Ids only in what it says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from activities.event_store import EventStore
from safeside.contracts.activities import AppendBatch, StoredEvent
from safeside.db import Pool
from safeside.embedded.processes import free_port
from safeside.ids import placement_workflow_id, unit_workflow_id
from safeside.settings import Settings
from starter.services.placements import start_placement
from tests.integration.activities.placements import Placement, start
from tests.support.placements import end, new_placement_id, start_command
from tests.support.starter import Cli, eventually, trail_length
from tests.support.stored_streams import stored_state
from tests.support.units import new_unit_id, start_unit_workflow
from workflows.domain.common import RiskLevel
from workflows.domain.policy import Policy
from workflows.domain.state import PlacementState
from workflows.domain.stream import header
from workflows.domain.unit.decide import open_unit
from workflows.domain.unit.events import UNIT_EVENTS, ResidentJoined, UnitEvent, unit_stream_id
from workflows.domain.unit.membership import MEMBERSHIP_ACTOR
from workflows.domain.unit.state import UnitState, evolve_unit, initial_unit_state
from workflows.placement import PlacementWorkflow
from workflows.unit import UnitWorkflow

pytestmark = pytest.mark.usefixtures("worker")


async def test_a_dry_run_starts_nothing_and_a_run_starts_only_what_is_not_running(
    dev_env: WorkflowEnvironment, pool: Pool, settings: Settings, safeside: Cli
) -> None:
    client = dev_env.client
    unit_id = new_unit_id()
    unit = unit_stream_id(unit_id)
    running, terminated, ended = new_placement_id(), new_placement_id(), new_placement_id()
    await start_unit_workflow(client, unit_id, settings.task_queue)
    for placement_id in (running, terminated, ended):
        await _start(client, placement_id, unit_id, settings)
    leaving = client.get_workflow_handle_for(PlacementWorkflow.run, placement_workflow_id(ended))
    await leaving.execute_update(PlacementWorkflow.record, end(datetime.now(UTC)))
    await leaving.result()

    async def stored() -> bool:
        residents = {r.placement_id for r in (await stored_state(pool, unit)).residents}
        return residents == {running, terminated} and all(
            [await trail_length(pool, p) >= 2 for p in (running, terminated)]
        )

    await eventually(stored)
    stopped = client.get_workflow_handle(placement_workflow_id(terminated))
    await stopped.terminate("an operator's mistake")
    versions = {
        s: (await stored_state(pool, s)).version for s in (unit, running, terminated, ended)
    }

    def lines(what_of_the_terminated: str, summary: str) -> list[str]:
        """What a run says: the unit and the running placement already running, the ended one
        skipped, and what became of the terminated one; then the summary."""
        outcome_of = {
            unit: "already running",
            running: "already running",
            terminated: what_of_the_terminated,
            ended: "ended, skipped",
        }
        placements = sorted([running, terminated, ended])
        return [
            f"[1/4] unit {unit} at version {versions[unit]}: {outcome_of[unit]}",
            *(
                f"[{n}/4] placement {p} at version {versions[p]}: {outcome_of[p]}"
                for n, p in enumerate(placements, start=2)
            ),
            summary,
        ]

    dry = await safeside("recover", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.splitlines() == lines(
        "would recover",
        "dry run: would recover 1, already running 2, ended skipped 1; nothing was started",
    )
    assert (await stopped.describe()).status is WorkflowExecutionStatus.TERMINATED

    recovered = await safeside("recover")
    assert recovered.exit_code == 0, recovered.output
    assert recovered.stdout.splitlines() == lines(
        "recovered", "recovered 1, already running 2, ended skipped 1"
    )
    assert (await stopped.describe()).status is WorkflowExecutionStatus.RUNNING
    assert await stopped.query(
        PlacementWorkflow.current_state, result_type=PlacementState
    ) == await stored_state(pool, terminated)

    again = await safeside("recover")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[-1] == "recovered 0, already running 3, ended skipped 1"
    for output in (dry.output, recovered.output, again.output):
        assert "CASE-" not in output  # the case reference, a detail of the child's, never shown
    for placement_id in (running, terminated):
        await client.get_workflow_handle(placement_workflow_id(placement_id)).terminate("done")
    await client.get_workflow_handle(unit_workflow_id(unit_id)).terminate("test finished")


async def test_a_unit_whose_stream_still_lists_a_child_who_left_is_told_they_left(
    pool: Pool, settings: Settings, dev_env: WorkflowEnvironment, safeside: Cli
) -> None:
    """The unit stores in batches: Temporal lost before it stored that a child left, its
    stream still lists the child, whose own stream has ended."""
    unit_id = new_unit_id()
    store = EventStore(pool, Policy())
    left = Placement(store)
    arrived = datetime.now(UTC) - timedelta(days=2)
    await left.record(start(left.stream_id, arrived, unit_id=unit_id), at=arrived)
    await left.record(end(arrived + timedelta(days=1)), at=arrived + timedelta(days=1))
    unit_events = _unit_with_resident(unit_id, left.stream_id, arrived)
    await store.append(
        AppendBatch(
            stream_id=unit_stream_id(unit_id),
            expected_version=0,
            events=[StoredEvent.recording(UNIT_EVENTS, event) for event in unit_events],
        )
    )

    result = await safeside("recover")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"[1/2] unit {unit_stream_id(unit_id)} at version 2: recovered "
        "(told it 1 resident(s) had left)",
        f"[2/2] placement {left.stream_id} at version {left.current.version}: ended, skipped",
        "recovered 1, already running 0, ended skipped 1",
    ]
    unit = dev_env.client.get_workflow_handle_for(UnitWorkflow.run, unit_workflow_id(unit_id))

    async def has_left() -> bool:
        state = await unit.query(UnitWorkflow.current_state, result_type=UnitState)
        return (state.version, state.residents) == (3, ())  # the child left, after version 2

    await eventually(has_left)
    await unit.terminate("test finished")


def _unit_with_resident(unit_id: str, placement_id: str, arrived: datetime) -> list[UnitEvent]:
    """A unit's first events, as its workflow decides them: opened, then the child joined
    (just now, so none of the unit's clocks is due yet)."""
    now = datetime.now(UTC)
    opened = open_unit(initial_unit_state(unit_stream_id(unit_id)), unit_id, now)
    state = evolve_unit(initial_unit_state(unit_stream_id(unit_id)), opened[0])
    joined = ResidentJoined(
        **header(state, now, MEMBERSHIP_ACTOR),
        placement_id=placement_id,
        arrived_at=arrived,
        risk_level=RiskLevel.medium,
    )
    return [*opened, joined]


async def test_a_stream_that_cannot_be_read_is_named_and_the_rest_are_recovered(
    dev_env: WorkflowEnvironment, pool: Pool, settings: Settings, safeside: Cli
) -> None:
    client = dev_env.client
    placement_id, unit_id = new_placement_id(), new_unit_id()
    await _start(client, placement_id, unit_id, settings)
    await eventually(lambda: _has_events(pool, placement_id))
    await client.get_workflow_handle(placement_workflow_id(placement_id)).terminate("lost")
    # An event this release cannot read (written by a newer one, say).
    await pool.execute(
        """INSERT INTO events (stream_id, version, event_type, schema_version, occurred_at,
                               actor_role, actor_ref, payload)
           VALUES ('PL-unreadable', 1, 'made_up_event', 1, now(), 'system', 'test', '{}')"""
    )

    result = await safeside("recover")

    assert result.exit_code == 1
    assert (
        result.stdout.splitlines()[-1]
        == "recovered 1, already running 0, ended skipped 0, failed 1"
    )
    assert (
        "[2/2] placement PL-unreadable at version 1: failed (the placement stream PL-unreadable "
        "cannot be folded: a stored event has an unknown type 'made_up_event')"
    ) in result.stderr
    assert result.stderr.rstrip().endswith(
        "safeside: some streams were not recovered (above): fix them, then run "
        "`safeside recover` again"
    )
    for workflow_id in (placement_workflow_id(placement_id), unit_workflow_id(unit_id)):
        await client.get_workflow_handle(workflow_id).terminate("test finished")


async def test_bad_input_exits_2_and_a_missing_server_or_policy_file_exits_1(
    safeside: Cli, tmp_path: Path
) -> None:
    unknown_option = await safeside("recover", "--now")
    assert unknown_option.exit_code == 2
    assert "No such option '--now'" in unknown_option.stderr
    extra_argument = await safeside("recover", "PL-2031")
    assert extra_argument.exit_code == 2
    assert "unexpected extra argument (PL-2031)" in extra_argument.stderr

    address = f"127.0.0.1:{free_port()}"
    nowhere = await safeside("recover", env={"SAFESIDE_TEMPORAL_ADDRESS": address})
    assert nowhere.exit_code == 1
    assert nowhere.stderr.strip() == (
        f"safeside: cannot reach the Temporal server at {address}: start the stack with "
        "`make run` or set SAFESIDE_TEMPORAL_ADDRESS"
    )
    policy = tmp_path / "policy.json"
    policy.write_text('{"leaflet_within": "soon"}', encoding="utf-8")
    bad_policy = await safeside("recover", env={"SAFESIDE_POLICY_FILE": str(policy)})
    assert bad_policy.exit_code == 1
    assert bad_policy.stderr.startswith(f"safeside: the policy file {policy} is not valid")
    for result in (unknown_option, extra_argument, nowhere, bad_policy):
        assert "Traceback" not in result.output


async def _start(client: Client, placement_id: str, unit_id: str, settings: Settings) -> None:
    arrived = datetime.now(UTC) - timedelta(hours=1)
    command = start_command(placement_id, arrived, unit_id=unit_id)
    await start_placement(client, command, policy=Policy(), task_queue=settings.task_queue)


async def _has_events(pool: Pool, stream_id: str) -> bool:
    return await trail_length(pool, stream_id) >= 2
