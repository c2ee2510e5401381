"""The ``safeside`` command line's records and reads of a placement against the dev server and
a real PostgreSQL: what a person sees on the terminal (an action recorded or refused, the state,
the audit trail, the lists), and the exit status a script sees."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from safeside.db import Pool
from starter.services.reading import NOT_YOURS
from tests.integration.starter.cli_support import (
    AS_AUDITOR,
    AS_KEY_WORKER,
    AS_MANAGER,
    ago,
    audit_of_a_new_placement,
)
from tests.support.starter import Cli, StartedPlacement, eventually

# `services` seeds the tests' organisation, which every command works in.
pytestmark = pytest.mark.usefixtures("worker", "services")


async def test_a_key_worker_records_the_leaflet(safeside: Cli, started: StartedPlacement) -> None:
    placement_id = await started()
    result = await safeside(
        "placement", "record", "leaflet-delivered", placement_id,
        "--language", "Tigrinya", "--interpreter-reference", "INT-55",
        "--child-understanding", "understood", "--delivered-at", ago(10), env=AS_KEY_WORKER,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"recorded on placement {placement_id}: leaflet_delivered" in result.stdout


NO_INTERPRETER = (
    "safeside: --interpreter-reference: the leaflet must be explained with an interpreter: "
    "give the interpreter's reference"
)
NOT_THEIR_LANGUAGE = (
    "safeside: --language: the leaflet must be in the child's own language, the first "
    "language recorded when the placement started"
)
# A leaflet recorded without an interpreter's reference, in the child's language or not.
REFUSED_LEAFLETS = {
    "one reason": ("Tigrinya", [NO_INTERPRETER]),
    "every reason at once": ("French", [NO_INTERPRETER, NOT_THEIR_LANGUAGE]),
}


@pytest.mark.parametrize("case", REFUSED_LEAFLETS)
async def test_a_refused_action_prints_each_of_the_domains_reasons_and_exits_1(
    safeside: Cli, started: StartedPlacement, case: str
) -> None:
    language, reasons = REFUSED_LEAFLETS[case]
    placement_id = await started()
    result = await safeside(
        "placement", "record", "leaflet-delivered", placement_id,
        "--language", language, "--child-understanding", "understood",
        "--delivered-at", ago(10), env=AS_KEY_WORKER,
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.splitlines() == reasons


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
        env=AS_KEY_WORKER,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "risk_assessed" in json.loads(result.stdout)["events"]
    shown = json.loads(
        (await safeside("placement", "show", placement_id, "--json", env=AS_KEY_WORKER)).stdout
    )
    assert set(shown["state"]["risk_factors"]) == {"calls to the unit", "car seen outside"}


async def test_an_action_with_a_wrong_value_exits_2_naming_the_option(
    safeside: Cli, started: StartedPlacement
) -> None:
    placement_id = await started()
    result = await safeside(
        "placement", "record", "change-risk-level", placement_id, "--to-level", "severe",
        env=AS_KEY_WORKER,
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.startswith("safeside: --to-level: Input should be 'low', 'medium'")


async def test_an_action_on_an_unknown_placement_is_refused_as_another_units_child_is(
    safeside: Cli,
) -> None:
    result = await safeside(
        "placement", "record", "observation", "PL-never-started", "--category", "waiting_car",
        "--note-reference-or-text", "LOG-1", "--observed-at", ago(1), env=AS_KEY_WORKER,
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.strip() == f"safeside: refused: {NOT_YOURS}"


async def test_show_prints_the_state_and_which_deadlines_are_overdue(
    safeside: Cli, started: StartedPlacement
) -> None:
    placement_id = await started(hours_ago=30)
    result = await safeside("placement", "show", placement_id, env=AS_MANAGER)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert f"placement                {placement_id}" in lines
    leaflet = next(line for line in lines if line.split()[:2] == ["leaflet", "R1"])
    assert leaflet.endswith("yes")  # overdue
    assert any(zone in leaflet for zone in ("GMT", "BST"))


async def test_show_of_an_unknown_placement_is_refused_as_another_units_child_is(
    safeside: Cli,
) -> None:
    result = await safeside("placement", "show", "PL-never-started", env=AS_MANAGER)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"safeside: refused: {NOT_YOURS}"


async def test_the_audit_trail_prints_as_a_table_json_or_csv_in_order(
    safeside: Cli, started: StartedPlacement, pool: Pool
) -> None:
    placement_id, table = await audit_of_a_new_placement(safeside, started, pool, AS_MANAGER)
    rows = table.stdout.splitlines()[2:]
    assert [row.split()[0] for row in rows] == ["1", "2"]
    assert "placement_started" in rows[0]
    assert "registered_manager/staff-01" in rows[0]

    as_json = json.loads(
        (
            await safeside("placement", "audit", placement_id, "--format", "json", env=AS_MANAGER)
        ).stdout
    )
    assert [e["event_type"] for e in as_json] == ["placement_started", "interpreter_requested"]

    as_csv = (
        await safeside("placement", "audit", placement_id, "--format", "csv", env=AS_MANAGER)
    ).stdout
    records = list(csv.DictReader(io.StringIO(as_csv)))
    assert [r["event"] for r in records] == ["placement_started", "interpreter_requested"]
    assert json.loads(records[1]["details"]) == {"language": "Tigrinya"}


async def test_the_audit_of_an_unknown_placement_exits_1(safeside: Cli) -> None:
    result = await safeside("placement", "audit", "PL-never-started", env=AS_AUDITOR)
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
    listed = await safeside("placement", "list", "--unit", "UNIT-7", env=AS_MANAGER)
    assert listed.exit_code == 0, listed.output
    assert {line.split()[0] for line in listed.stdout.splitlines()[2:]} == {late, in_time}

    overdue = json.loads(
        (await safeside("placement", "list", "--overdue", "--json", env=AS_MANAGER)).stdout
    )
    assert [p["stream_id"] for p in overdue["items"]] == [late]
    missing = await safeside("placement", "list", "--missing", env=AS_MANAGER)
    assert missing.stdout.strip() == "no placements"

    deadlines = json.loads(
        (await safeside("deadlines", "--overdue", "--json", env=AS_MANAGER)).stdout
    )
    assert {d["placement_id"] for d in deadlines["items"]} == {late}
    assert "leaflet" in {d["deadline_id"] for d in deadlines["items"]}
    table = await safeside("deadlines", "--limit", "1", env=AS_MANAGER)
    assert table.stdout.rstrip().splitlines()[-1].startswith("more: add --after ")


async def test_a_page_cursor_that_was_never_given_exits_2(safeside: Cli) -> None:
    result = await safeside("deadlines", "--after", "garbage", env=AS_MANAGER)
    assert result.exit_code == 2
    assert "--after" in result.stderr
