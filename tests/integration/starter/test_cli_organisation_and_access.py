"""Need to know on the ``safeside`` command line against the dev server and a real PostgreSQL:
another unit's staff refused and logged, the auditor's redacted trail, the administrator's
organisation, allocation and break-glass, and the operators' organisations made once."""

from __future__ import annotations

import json

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
from starter.services.reading import NOT_YOURS
from tests.integration.starter.cli_support import (
    AS_ADMINISTRATOR,
    AS_AUDITOR,
    AS_KEY_WORKER,
    AS_MANAGER,
    AS_OTHER_UNITS_KEY_WORKER,
    ago,
    audit_of_a_new_placement,
    signed_in,
    start_flags,
)
from tests.support.placements import new_placement_id
from tests.support.starter import Cli, StartedPlacement

# `services` seeds the tests' organisation, which every command works in.
pytestmark = pytest.mark.usefixtures("worker", "services")


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
    placement_id, table = await audit_of_a_new_placement(safeside, started, pool, AS_AUDITOR)
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
