"""The ``safeside`` command line against the dev server and a real PostgreSQL: what a person
sees on the terminal, and the exit status a script sees. Every command acts as the person
SAFESIDE_TOKEN names, in the tests' organisation (``tests.support.organisation``)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from safeside.db import Pool
from safeside.tokens import Principal
from starter.cli.demo import DEMO_ADMINISTRATOR, DEMO_ORGANISATION
from starter.cli.organisation_seed import (
    DEV_ORGANISATION,
    DEV_SEEDER,
    Organisation,
    ensure_organisation,
)
from starter.cli.signing_in import SIGN_IN_FIRST
from starter.services.reading import NOT_YOURS
from tests.support.placements import new_placement_id
from tests.support.security import token_for
from tests.support.starter import Cli, StartedPlacement, eventually, trail_length

# `services` seeds the tests' organisation, which every command works in.
pytestmark = pytest.mark.usefixtures("worker", "services")


def signed_in(role: str, subject: str) -> dict[str, str | None]:
    return {"SAFESIDE_TOKEN": token_for(role, subject)}


AS_MANAGER = signed_in("registered_manager", "staff-01")
AS_KEY_WORKER = signed_in("key_worker", "staff-17")
AS_OTHER_UNITS_KEY_WORKER = signed_in("key_worker", "kw-other")
AS_ADMINISTRATOR = signed_in("administrator", "admin-01")
AS_AUDITOR = signed_in("auditor", "audit-1")
NOBODY: dict[str, str | None] = {"SAFESIDE_TOKEN": None}


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
    result = await safeside("placement", "start", *start_flags(placement_id), env=AS_MANAGER)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"started placement {placement_id}"


async def test_a_placement_starts_from_a_json_file(safeside: Cli, tmp_path: Path) -> None:
    placement_id = new_placement_id()
    flags = start_flags(placement_id)
    details = {
        flags[i].removeprefix("--").replace("-", "_"): flags[i + 1] for i in range(0, len(flags), 2)
    }
    file = tmp_path / "start.json"
    file.write_text(json.dumps(details))
    result = await safeside(
        "placement", "start", "--json", str(file), "--format", "json", env=AS_MANAGER
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"placement_id": placement_id, "status": "open"}


async def test_bad_start_details_give_one_line_per_wrong_field_and_exit_2(safeside: Cli) -> None:
    flags = start_flags(new_placement_id())
    flags[flags.index("--initial-risk-level") + 1] = "extreme"
    flags[flags.index("--arrived-at") + 1] = "teatime"
    result = await safeside("placement", "start", *flags[2:], env=AS_MANAGER)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert [line.split(":")[1].strip() for line in lines] == [
        "--placement-id",
        "--arrived-at",
        "--initial-risk-level",
    ]
    assert "teatime" not in result.stderr


async def test_without_a_token_nothing_is_started_and_it_says_to_sign_in(
    safeside: Cli, pool: Pool
) -> None:
    placement_id = new_placement_id()
    result = await safeside("placement", "start", *start_flags(placement_id), env=NOBODY)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"safeside: {SIGN_IN_FIRST}"
    written = await pool.fetchval(
        """SELECT (SELECT count(*) FROM placement_homes WHERE placement_id = $1)
                + (SELECT count(*) FROM allocations WHERE placement_id = $1)
                + (SELECT count(*) FROM access_log)""",
        placement_id,
    )
    assert written == 0
    shown = await safeside("placement", "show", placement_id, env=AS_MANAGER)
    assert shown.exit_code == 1  # never started


async def test_a_placement_starts_only_in_a_unit_that_exists_naming_the_option(
    safeside: Cli,
) -> None:
    flags = start_flags(new_placement_id())
    flags[flags.index("--unit-id") + 1] = "NOPE"
    result = await safeside("placement", "start", *flags, env=AS_MANAGER)
    assert result.exit_code == 2
    assert result.stderr.strip() == "safeside: --unit-id: there is no unit with this id"


async def test_starting_the_same_placement_twice_fails_with_exit_1(safeside: Cli) -> None:
    flags = start_flags(new_placement_id())
    assert (await safeside("placement", "start", *flags, env=AS_MANAGER)).exit_code == 0
    again = await safeside("placement", "start", *flags, env=AS_MANAGER)
    assert again.exit_code == 1
    assert "already open" in again.stderr


async def test_a_key_worker_records_the_leaflet(safeside: Cli, started: StartedPlacement) -> None:
    placement_id = await started()
    result = await safeside(
        "placement", "record", "leaflet-delivered", placement_id,
        "--language", "Tigrinya", "--interpreter-reference", "INT-55",
        "--child-understanding", "understood", "--delivered-at", ago(10), env=AS_KEY_WORKER,
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
        "--delivered-at", ago(10), env=AS_KEY_WORKER,
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
    placement_id = await started()

    async def stored() -> bool:
        return await trail_length(pool, placement_id) >= 2

    await eventually(stored)
    table = await safeside("placement", "audit", placement_id, env=AS_MANAGER)
    assert table.exit_code == 0, table.output
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


async def test_a_key_worker_of_another_unit_is_refused_and_the_refusal_is_in_the_access_log(
    safeside: Cli, started: StartedPlacement, pool: Pool
) -> None:
    placement_id = await started()
    shown = await safeside("placement", "show", placement_id, env=AS_OTHER_UNITS_KEY_WORKER)
    assert shown.exit_code == 1
    assert shown.stderr.strip() == f"safeside: refused: {NOT_YOURS}"
    assert shown.stdout == ""
    recorded = await safeside(
        "placement", "record", "observation", placement_id, "--category", "waiting_car",
        "--note-reference-or-text", "LOG-1", "--observed-at", ago(1),
        env=AS_OTHER_UNITS_KEY_WORKER,
    )  # fmt: skip
    assert recorded.exit_code == 1
    assert recorded.stderr.strip() == f"safeside: refused: {NOT_YOURS}"
    logged = await pool.fetch(
        "SELECT what, role, allowed FROM access_log WHERE placement_id = $1 AND subject = $2",
        placement_id,
        "kw-other",
    )
    assert [tuple(row) for row in logged] == [("placement_state", "key_worker", False)]


async def test_reads_on_the_command_line_are_in_the_access_log_as_the_signed_in_person(
    safeside: Cli, started: StartedPlacement, pool: Pool
) -> None:
    placement_id = await started()
    assert (await safeside("placement", "show", placement_id, env=AS_KEY_WORKER)).exit_code == 0
    logged = await pool.fetch(
        "SELECT what, subject, allowed FROM access_log WHERE placement_id = $1 ORDER BY id",
        placement_id,
    )
    assert [tuple(row) for row in logged] == [
        ("placement_state", "staff-17", True),
        ("placement_deadlines", "staff-17", True),
    ]


async def test_the_auditor_reads_the_trail_without_what_identifies_anyone(
    safeside: Cli, started: StartedPlacement, pool: Pool
) -> None:
    placement_id = await started()

    async def stored() -> bool:
        return await trail_length(pool, placement_id) >= 2

    await eventually(stored)
    table = await safeside("placement", "audit", placement_id, env=AS_AUDITOR)
    assert table.exit_code == 0, table.output
    assert "registered_manager/[redacted]" in table.stdout
    assert "staff-01" not in table.stdout
    assert "Tigrinya" not in table.stdout
    refused = await safeside("placement", "show", placement_id, env=AS_AUDITOR)
    assert refused.exit_code == 1
    assert "refused: the role auditor may not read the placement state" in refused.stderr


async def test_only_the_administrator_changes_the_organisation(safeside: Cli, pool: Pool) -> None:
    refused = await safeside("org", "unit", "add", "UNIT-9", "--name", "Elm House", env=AS_MANAGER)
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        "safeside: refused: only the administrator keeps the organisation's data"
    )
    assert await pool.fetchval("SELECT count(*) FROM org_units WHERE unit_id = 'UNIT-9'") == 0

    added = await safeside(
        "org", "unit", "add", "UNIT-9", "--name", "Elm House", env=AS_ADMINISTRATOR
    )
    assert added.exit_code == 0, added.output
    assert added.stdout.strip() == "added unit UNIT-9"
    again = await safeside("org", "unit", "add", "UNIT-9", "--name", "Elm", env=AS_ADMINISTRATOR)
    assert again.exit_code == 2
    assert again.stderr.strip() == "safeside: UNIT_ID: a unit with this id already exists"
    bad = await safeside("org", "unit", "add", "UNIT 9", "--name", "Elm", env=AS_ADMINISTRATOR)
    assert bad.exit_code == 2
    assert bad.stderr.startswith("safeside: UNIT_ID: String should match pattern")


async def test_the_administrator_adds_a_manager_who_then_starts_a_placement_in_their_unit(
    safeside: Cli,
) -> None:
    for args in (
        ("org", "unit", "add", "UNIT-10", "--name", "Ash House"),
        ("org", "staff", "add", "staff-40", "--role", "registered_manager"),
        ("org", "member", "add", "staff-40", "UNIT-10"),
    ):
        result = await safeside(*args, env=AS_ADMINISTRATOR)
        assert result.exit_code == 0, result.output
    flags = start_flags(new_placement_id())
    flags[flags.index("--unit-id") + 1] = "UNIT-10"
    as_new_manager = signed_in("registered_manager", "staff-40")
    started_there = await safeside("placement", "start", *flags, env=as_new_manager)
    assert started_there.exit_code == 0, started_there.output

    ended = await safeside("org", "member", "end", "staff-40", "UNIT-10", env=AS_ADMINISTRATOR)
    assert ended.exit_code == 0, ended.output
    assert ended.stdout.strip() == "staff-40 is no longer a member of unit UNIT-10"
    placement_id = flags[flags.index("--placement-id") + 1]
    gone = await safeside("placement", "show", placement_id, env=as_new_manager)
    assert gone.exit_code == 1
    unknown = await safeside("org", "member", "add", "nobody-1", "UNIT-10", env=AS_ADMINISTRATOR)
    assert unknown.exit_code == 2
    assert unknown.stderr.strip() == (
        "safeside: STAFF_REF: there is no such person in the staff directory"
    )


async def test_the_manager_allocates_a_key_worker_who_may_then_read_the_child(
    safeside: Cli, started: StartedPlacement
) -> None:
    placement_id = await started()
    before = await safeside("placement", "show", placement_id, env=AS_OTHER_UNITS_KEY_WORKER)
    assert before.exit_code == 1
    allocated = await safeside(
        "placement", "allocate", placement_id, "--role", "key_worker", "--staff", "kw-other",
        env=AS_MANAGER,
    )  # fmt: skip
    assert allocated.exit_code == 0, allocated.output
    assert allocated.stdout.strip() == f"kw-other is now the key worker of placement {placement_id}"
    after = await safeside("placement", "show", placement_id, env=AS_OTHER_UNITS_KEY_WORKER)
    assert after.exit_code == 0, after.output
    by_worker = await safeside(
        "placement", "allocate", placement_id, "--role", "key_worker", "--staff", "staff-17",
        env=AS_KEY_WORKER,
    )  # fmt: skip
    assert by_worker.exit_code == 1
    assert "refused: the placement's Registered Manager or the administrator allocates" in (
        by_worker.stderr
    )


async def test_a_duty_manager_of_another_unit_opens_a_child_by_break_glass_with_a_reason(
    safeside: Cli, started: StartedPlacement, pool: Pool
) -> None:
    placement_id = await started()
    as_other_duty_manager = signed_in("duty_manager", "dm-other")
    before = await safeside("placement", "show", placement_id, env=as_other_duty_manager)
    assert before.exit_code == 1

    reason = "night cover: the unit's own manager cannot be reached"
    opened = await safeside(
        "placement", "break-glass", placement_id, "--reason", reason, env=as_other_duty_manager
    )
    assert opened.exit_code == 0, opened.output
    assert opened.stdout.startswith(f"opened placement {placement_id} until ")
    shown = await safeside("placement", "show", placement_id, env=as_other_duty_manager)
    assert shown.exit_code == 0, shown.output
    assert f"placement                {placement_id}" in shown.stdout.splitlines()

    read = await pool.fetchrow(
        """SELECT allowed, break_glass_reason FROM access_log
            WHERE placement_id = $1 AND subject = 'dm-other' AND what = 'placement_state'
            ORDER BY id DESC LIMIT 1""",
        placement_id,
    )
    assert read is not None
    assert (read["allowed"], read["break_glass_reason"]) == (True, reason)

    listed = await safeside("break-glass", "list", "--json", env=AS_AUDITOR)
    assert listed.exit_code == 0, listed.output
    [use] = json.loads(listed.stdout)
    assert (use["staff_ref"], use["placement_id"], use["reason"]) == (
        "dm-other",
        placement_id,
        reason,
    )
    not_auditor = await safeside("break-glass", "list", env=as_other_duty_manager)
    assert not_auditor.exit_code == 1
    assert (
        not_auditor.stderr.strip() == "safeside: refused: only the auditor lists break-glass uses"
    )


async def test_a_key_worker_may_not_open_a_record_by_break_glass(
    safeside: Cli, started: StartedPlacement
) -> None:
    placement_id = await started()
    refused = await safeside(
        "placement",
        "break-glass",
        placement_id,
        "--reason",
        "curious",
        env=AS_OTHER_UNITS_KEY_WORKER,
    )
    assert refused.exit_code == 1
    assert "refused: only a Duty or Registered Manager" in refused.stderr


@pytest.mark.parametrize(
    ("seeder", "wanted"),
    [(DEV_SEEDER, DEV_ORGANISATION), (DEMO_ADMINISTRATOR, DEMO_ORGANISATION)],
    ids=["safeside dev", "safeside demo"],
)
async def test_the_operators_organisations_are_made_once_and_a_second_start_changes_nothing(
    pool: Pool, seeder: Principal, wanted: Organisation
) -> None:
    await ensure_organisation(pool, seeder, wanted)
    events = await pool.fetchval("SELECT count(*) FROM organisation_events")
    await ensure_organisation(pool, seeder, wanted)
    assert await pool.fetchval("SELECT count(*) FROM organisation_events") == events
    members = {
        (row["staff_ref"], row["unit_id"])
        for row in await pool.fetch("SELECT * FROM unit_memberships WHERE until_at IS NULL")
    }
    wanted_members = {(p.staff_ref, unit_id) for p in wanted.staff for unit_id in p.units}
    assert wanted_members <= members


async def test_in_the_dev_organisation_the_walk_through_signs_in_as_its_people(
    safeside: Cli, pool: Pool
) -> None:
    await ensure_organisation(pool, DEV_SEEDER, DEV_ORGANISATION)
    flags = start_flags(new_placement_id())
    flags[flags.index("--unit-id") + 1] = "UNIT-8"
    as_duty_manager = signed_in("duty_manager", "staff-03")
    refused = await safeside("placement", "start", *flags, env=as_duty_manager)
    assert refused.exit_code == 1
    assert "refused: the role duty_manager may not record start_placement" in refused.stderr

    as_dev_administrator = signed_in("administrator", "admin-01")
    added = await safeside(
        "org", "staff", "add", "staff-03", "--role", "duty_manager", "--role",
        "registered_manager", env=as_dev_administrator,
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    as_manager = signed_in("registered_manager", "staff-03")
    started_there = await safeside("placement", "start", *flags, env=as_manager)
    assert started_there.exit_code == 0, started_there.output
