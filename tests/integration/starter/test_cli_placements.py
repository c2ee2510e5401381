"""The ``safeside`` command line against the dev server and a real PostgreSQL: what a person
sees on the terminal, and the exit status a script sees."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from safeside.db import Pool
from tests.support.placements import new_placement_id
from tests.support.starter import Cli, StartedPlacement, eventually, trail_length

pytestmark = pytest.mark.usefixtures("worker")

AS_MANAGER = ("--actor-role", "registered_manager", "--actor-ref", "staff-01")
AS_KEY_WORKER = ("--actor-role", "key_worker", "--actor-ref", "staff-17")


def start_flags(placement_id: str) -> list[str]:
    arrived = datetime.now(UTC) - timedelta(hours=1)
    return [
        "--placement-id", placement_id,
        "--case-reference", f"CASE-{placement_id}",
        "--unit-id", "UNIT-7",
        "--first-language", "Tigrinya",
        "--looked-after-since", arrived.date().isoformat(),
        "--arrived-at", arrived.isoformat(),
        "--placing-authority", "Example Borough Council",
        "--social-worker-reference", "sw-204",
        "--initial-risk-level", "high",
        "--ukvi-relevant", "true",
    ]  # fmt: skip


def ago(minutes: int) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


async def test_a_manager_starts_a_placement_with_flags(safeside: Cli) -> None:
    placement_id = new_placement_id()
    result = await safeside("placement", "start", *start_flags(placement_id), *AS_MANAGER)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"started placement {placement_id}"


async def test_a_placement_starts_from_a_json_file_with_the_actor_from_the_environment(
    safeside: Cli, tmp_path: Path
) -> None:
    placement_id = new_placement_id()
    flags = start_flags(placement_id)
    details = {
        flags[i].removeprefix("--").replace("-", "_"): flags[i + 1] for i in range(0, len(flags), 2)
    }
    file = tmp_path / "start.json"
    file.write_text(json.dumps(details))
    result = await safeside(
        "placement", "start", "--json", str(file), "--format", "json",
        env={"SAFESIDE_ACTOR_ROLE": "registered_manager", "SAFESIDE_ACTOR_REF": "staff-01"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"placement_id": placement_id, "status": "open"}


async def test_bad_start_details_give_one_line_per_wrong_field_and_exit_2(safeside: Cli) -> None:
    flags = start_flags(new_placement_id())
    flags[flags.index("--initial-risk-level") + 1] = "extreme"
    flags[flags.index("--arrived-at") + 1] = "teatime"
    result = await safeside("placement", "start", *flags[2:], *AS_MANAGER)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert [line.split(":")[1].strip() for line in lines] == [
        "--placement-id",
        "--arrived-at",
        "--initial-risk-level",
    ]
    assert "teatime" not in result.stderr


async def test_a_command_without_an_actor_says_how_to_give_one(safeside: Cli) -> None:
    result = await safeside("placement", "start", *start_flags(new_placement_id()))
    assert result.exit_code == 2
    assert "--actor-role: Field required (or set SAFESIDE_ACTOR_ROLE)" in result.stderr
    assert "--actor-ref: Field required (or set SAFESIDE_ACTOR_REF)" in result.stderr


async def test_starting_the_same_placement_twice_fails_with_exit_1(safeside: Cli) -> None:
    flags = start_flags(new_placement_id())
    assert (await safeside("placement", "start", *flags, *AS_MANAGER)).exit_code == 0
    again = await safeside("placement", "start", *flags, *AS_MANAGER)
    assert again.exit_code == 1
    assert "already open" in again.stderr


async def test_a_key_worker_records_the_leaflet(safeside: Cli, started: StartedPlacement) -> None:
    placement_id = await started()
    result = await safeside(
        "placement", "record", "leaflet-delivered", placement_id,
        "--language", "Tigrinya", "--interpreter-reference", "INT-55",
        "--child-understanding", "understood", "--delivered-at", ago(10), *AS_KEY_WORKER,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"recorded on placement {placement_id}: leaflet_delivered" in result.stdout


async def test_a_refused_action_prints_the_domains_reason_and_exits_1(
    safeside: Cli, started: StartedPlacement
) -> None:
    placement_id = await started()
    result = await safeside(
        "placement", "record", "leaflet-delivered", placement_id,
        "--language", "Tigrinya", "--child-understanding", "understood",
        "--delivered-at", ago(10), *AS_KEY_WORKER,
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "safeside: refused: the leaflet must be explained with an interpreter: "
        "give the interpreter's reference"
    )


async def test_an_action_takes_repeated_and_yes_no_options_or_a_json_file(
    safeside: Cli, started: StartedPlacement, tmp_path: Path
) -> None:
    placement_id = await started()
    file = tmp_path / "assessment.json"
    file.write_text(json.dumps({"level": "medium", "child_views": "wants to stay"}))
    result = await safeside(
        "placement", "record", "risk-assessment", placement_id, "--json", str(file),
        "--factors", "car seen outside", "--factors", "calls to the unit",
        "--child-participated", "yes", "--assessed-at", ago(5), "--format", "json",
        *AS_KEY_WORKER,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "risk_assessed" in json.loads(result.stdout)["events"]
    shown = json.loads((await safeside("placement", "show", placement_id, "--json")).stdout)
    assert set(shown["state"]["risk_factors"]) == {"calls to the unit", "car seen outside"}


async def test_an_action_with_a_wrong_value_exits_2_naming_the_option(
    safeside: Cli, started: StartedPlacement
) -> None:
    placement_id = await started()
    result = await safeside(
        "placement", "record", "change-risk-level", placement_id, "--to-level", "severe",
        *AS_KEY_WORKER,
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.startswith("safeside: --to-level: Input should be 'low', 'medium'")


async def test_an_action_on_an_unknown_placement_exits_1(safeside: Cli) -> None:
    result = await safeside(
        "placement", "record", "observation", "PL-never-started", "--category", "waiting_car",
        "--note-reference-or-text", "LOG-1", "--observed-at", ago(1), *AS_KEY_WORKER,
    )  # fmt: skip
    assert result.exit_code == 1
    assert "there is no placement PL-never-started" in result.stderr


async def test_show_prints_the_state_and_which_deadlines_are_overdue(
    safeside: Cli, started: StartedPlacement
) -> None:
    placement_id = await started(hours_ago=30)
    result = await safeside("placement", "show", placement_id)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert f"placement                {placement_id}" in lines
    leaflet = next(line for line in lines if line.split()[:2] == ["leaflet", "R1"])
    assert leaflet.endswith("yes")  # overdue
    assert any(zone in leaflet for zone in ("GMT", "BST"))


async def test_show_of_an_unknown_placement_exits_1(safeside: Cli) -> None:
    result = await safeside("placement", "show", "PL-never-started")
    assert result.exit_code == 1
    assert result.stderr.strip() == "safeside: there is no placement PL-never-started"


async def test_the_audit_trail_prints_as_a_table_json_or_csv_in_order(
    safeside: Cli, started: StartedPlacement, pool: Pool
) -> None:
    placement_id = await started()

    async def stored() -> bool:
        return await trail_length(pool, placement_id) >= 2

    await eventually(stored)
    table = await safeside("placement", "audit", placement_id)
    assert table.exit_code == 0, table.output
    rows = table.stdout.splitlines()[2:]
    assert [row.split()[0] for row in rows] == ["1", "2"]
    assert "placement_started" in rows[0]
    assert "registered_manager/staff-01" in rows[0]

    as_json = json.loads(
        (await safeside("placement", "audit", placement_id, "--format", "json")).stdout
    )
    assert [e["event_type"] for e in as_json] == ["placement_started", "interpreter_requested"]

    as_csv = (await safeside("placement", "audit", placement_id, "--format", "csv")).stdout
    records = list(csv.DictReader(io.StringIO(as_csv)))
    assert [r["event"] for r in records] == ["placement_started", "interpreter_requested"]
    assert json.loads(records[1]["details"]) == {"language": "Tigrinya"}


async def test_the_audit_of_an_unknown_placement_exits_1(safeside: Cli) -> None:
    result = await safeside("placement", "audit", "PL-never-started")
    assert result.exit_code == 1
    assert "no audit trail for placement PL-never-started" in result.stderr


async def test_list_and_deadlines_show_overdue_work_from_the_projections(
    safeside: Cli, started: StartedPlacement, pool: Pool
) -> None:
    late = await started(hours_ago=30)
    in_time = await started(hours_ago=1)

    async def projected() -> bool:
        count: int = await pool.fetchval("SELECT count(*) FROM placements")
        return count == 2

    await eventually(projected)
    listed = await safeside("placement", "list", "--unit", "UNIT-7")
    assert listed.exit_code == 0, listed.output
    assert {line.split()[0] for line in listed.stdout.splitlines()[2:]} == {late, in_time}

    overdue = json.loads((await safeside("placement", "list", "--overdue", "--json")).stdout)
    assert [p["stream_id"] for p in overdue["items"]] == [late]
    assert (await safeside("placement", "list", "--missing")).stdout.strip() == "no placements"

    deadlines = json.loads((await safeside("deadlines", "--overdue", "--json")).stdout)
    assert {d["placement_id"] for d in deadlines["items"]} == {late}
    assert "leaflet" in {d["deadline_id"] for d in deadlines["items"]}
    table = await safeside("deadlines", "--limit", "1")
    assert table.stdout.rstrip().splitlines()[-1].startswith("more: add --after ")


async def test_a_page_cursor_that_was_never_given_exits_2(safeside: Cli) -> None:
    result = await safeside("deadlines", "--after", "garbage")
    assert result.exit_code == 2
    assert "--after" in result.stderr
