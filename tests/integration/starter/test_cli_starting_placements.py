"""``safeside placement start`` against the dev server and a real PostgreSQL: the start's
flags or JSON file, and each wrong detail named by its option with exit status 2. Every command
acts as the person SAFESIDE_TOKEN names, in the tests' organisation
(``tests.support.organisation``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from safeside.db import Pool
from starter.cli.signing_in import SIGN_IN_FIRST
from tests.integration.starter.cli_support import AS_MANAGER, NOBODY, start_flags
from tests.support.placements import new_placement_id
from tests.support.starter import Cli

# `services` seeds the tests' organisation, which every command works in.
pytestmark = pytest.mark.usefixtures("worker", "services")


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


async def test_an_arrival_in_1900_exits_2_naming_the_option_and_nothing_starts(
    safeside: Cli, pool: Pool
) -> None:
    placement_id = new_placement_id()
    flags = start_flags(placement_id)
    flags[flags.index("--arrived-at") + 1] = "1900-01-01T10:00:00+00:00"
    result = await safeside("placement", "start", *flags, env=AS_MANAGER)
    assert result.exit_code == 2
    assert result.stderr.startswith("safeside: --arrived-at: the arrival date must be between")
    housed = await pool.fetchval(
        "SELECT count(*) FROM placement_homes WHERE placement_id = $1", placement_id
    )
    assert housed == 0


async def test_a_looked_after_date_in_the_future_exits_2_naming_the_option(
    safeside: Cli,
) -> None:
    flags = start_flags(new_placement_id())
    later = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    flags[flags.index("--looked-after-since") + 1] = later
    result = await safeside("placement", "start", *flags, env=AS_MANAGER)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "safeside: --looked-after-since: the looked-after date is in the future: "
        "give the day the child became looked after"
    )


async def test_becoming_looked_after_after_arrival_exits_2_naming_the_option(
    safeside: Cli,
) -> None:
    flags = start_flags(new_placement_id())
    arrived = datetime.now(UTC) - timedelta(days=3)
    flags[flags.index("--arrived-at") + 1] = arrived.isoformat()
    later = (arrived + timedelta(days=2)).date().isoformat()
    flags[flags.index("--looked-after-since") + 1] = later
    result = await safeside("placement", "start", *flags, env=AS_MANAGER)
    assert result.exit_code == 2
    assert result.stderr.strip().startswith(
        "safeside: --looked-after-since: the child cannot have become looked after later"
    )
