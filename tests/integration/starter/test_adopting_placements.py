"""Adopting placements against the dev server and a real PostgreSQL: one child through the
API, a whole unit from a CSV file through the command line and the API. What was done before
is in the audit trail marked as recorded on adoption; what was overdue is told once to the
Registered Manager; an import checks every row first, starts the good ones, and starts nothing
twice when run again."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from safeside.db import Pool
from tests.integration.starter.cli_support import AS_KEY_WORKER, AS_MANAGER
from tests.support.adoptions import adoption_fields, csv_file
from tests.support.placements import new_placement_id
from tests.support.security import bearer
from tests.support.starter import Cli, eventually, trail_length

pytestmark = pytest.mark.usefixtures("worker", "services")


async def _notices(pool: Pool, placement_id: str) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT recipient, purpose, content FROM notifications WHERE stream_id = $1",
        placement_id,
    )
    return [dict(row) for row in rows]


async def test_a_child_placed_100_days_ago_with_every_step_done_is_adopted_telling_nobody(
    api: httpx.AsyncClient, pool: Pool
) -> None:
    placement_id = new_placement_id()
    answer = await api.post(
        "/placements/adoptions", json=adoption_fields(placement_id, datetime.now(UTC))
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["location"] == f"/placements/{placement_id}"

    async def stored() -> bool:
        return await trail_length(pool, placement_id) >= 11

    await eventually(stored)
    trail = (await api.get(f"/placements/{placement_id}/audit")).json()["entries"]
    assert all(entry["recorded_on_adoption"] for entry in trail)
    assert {(e["actor_role"], e["actor_ref"]) for e in trail} == {
        ("registered_manager", "staff-01")
    }
    assert "escalation_raised" not in {e["event_type"] for e in trail}
    assert await _notices(pool, placement_id) == []
    deadlines = (await api.get(f"/placements/{placement_id}/deadlines")).json()
    assert not any(d["overdue"] for d in deadlines)


async def test_two_steps_overdue_at_adoption_are_told_once_to_the_registered_manager(
    api: httpx.AsyncClient, pool: Pool
) -> None:
    placement_id = new_placement_id()
    fields = adoption_fields(placement_id, datetime.now(UTC), leave_out=("planning_meeting", "nrm"))
    assert (await api.post("/placements/adoptions", json=fields)).status_code == 201

    async def told() -> bool:
        return bool(await _notices(pool, placement_id))

    await eventually(told)
    [notice] = await _notices(pool, placement_id)
    assert (notice["recipient"], notice["purpose"]) == ("registered_manager", "overdue_at_adoption")
    listed = notice["content"]["details"]["overdue_deadlines"]
    assert [item["kind"] for item in listed] == ["nrm_referral", "planning_meeting"]
    trail = (await api.get(f"/placements/{placement_id}/audit")).json()["entries"]
    assert trail[-1]["event_type"] == "overdue_at_adoption"
    assert trail[-1]["recorded_on_adoption"] is False


async def test_a_wrong_adoption_names_every_field_and_starts_nothing(
    api: httpx.AsyncClient, pool: Pool
) -> None:
    placement_id = new_placement_id()
    fields = adoption_fields(placement_id, datetime.now(UTC)) | {
        "leaflet_interpreter_reference": None,
        "latest_visit_child_seen_alone": None,
    }
    answer = await api.post("/placements/adoptions", json=fields)
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == [
        "leaflet_interpreter_reference",
        "latest_visit_child_seen_alone",
    ]
    assert await trail_length(pool, placement_id) == 0


async def test_only_the_registered_manager_adopts(api: httpx.AsyncClient) -> None:
    fields = adoption_fields(new_placement_id(), datetime.now(UTC))
    answer = await api.post(
        "/placements/adoptions", json=fields, headers=bearer("key_worker", "staff-17")
    )
    assert answer.status_code == 403, answer.text
    csv_answer = await api.post(
        "/placements/imports",
        content=csv_file([fields]),
        headers=bearer("key_worker", "staff-17") | {"content-type": "text/csv"},
    )
    assert csv_answer.status_code == 403, csv_answer.text


def _unit_of_20_with_3_bad_rows(now: datetime) -> tuple[list[dict[str, Any]], dict[int, str]]:
    rows = [adoption_fields(new_placement_id(), now, unit_id="UNIT-A") for _ in range(20)]
    bad = {
        4: "leaflet_interpreter_reference",
        9: "arrived_at",
        15: "unit_id",
    }
    rows[4 - 2]["leaflet_interpreter_reference"] = ""
    rows[9 - 2]["arrived_at"] = "last spring"
    rows[15 - 2]["unit_id"] = "UNIT-NOWHERE"
    return rows, bad


async def test_a_unit_of_20_with_3_bad_rows_starts_17_names_the_3_and_a_second_run_starts_none(
    safeside: Cli, tmp_path: Path, pool: Pool
) -> None:
    rows, bad = _unit_of_20_with_3_bad_rows(datetime.now(UTC))
    file = tmp_path / "unit-a.csv"
    file.write_text(csv_file(rows))

    first = await safeside("placement", "import", str(file), "--format", "json", env=AS_MANAGER)

    assert first.exit_code == 2, first.output
    report = json.loads(first.stdout)
    good = [row["placement_id"] for number, row in enumerate(rows, start=2) if number not in bad]
    assert report["started"] == good
    assert len(report["started"]) == 17
    assert report["already_adopted"] == []
    assert {r["row"]: [e["field"] for e in r["errors"]] for r in report["refused"]} == {
        number: [field] for number, field in bad.items()
    }
    assert "last spring" not in first.output
    for placement_id in good:
        assert await pool.fetchval(
            "SELECT true FROM placement_homes WHERE placement_id = $1", placement_id
        )

    again = await safeside("placement", "import", str(file), env=AS_MANAGER)

    assert again.exit_code == 2, again.output
    assert "adopted placement" not in again.stdout
    assert again.stdout.strip().endswith("0 started, 17 already adopted, 3 refused")
    assert "safeside: row 4: leaflet_interpreter_reference: " in again.stderr


async def test_the_api_imports_a_file_and_a_second_time_starts_none(
    api: httpx.AsyncClient,
) -> None:
    now = datetime.now(UTC)
    rows = [adoption_fields(new_placement_id(), now) for _ in range(2)]
    rows.append(adoption_fields(new_placement_id(), now) | {"risk_level": "extreme"})
    body, headers = csv_file(rows), {"content-type": "text/csv"}

    first = await api.post("/placements/imports", content=body, headers=headers)
    again = await api.post("/placements/imports", content=body, headers=headers)

    assert first.status_code == again.status_code == 200, first.text
    assert first.json()["started"] == [rows[0]["placement_id"], rows[1]["placement_id"]]
    assert again.json()["started"] == []
    assert again.json()["already_adopted"] == first.json()["started"]
    [refused] = again.json()["refused"]
    assert (refused["row"], [e["field"] for e in refused["errors"]]) == (4, ["risk_level"])


async def test_a_file_with_a_column_no_adoption_has_starts_nothing(
    safeside: Cli, tmp_path: Path
) -> None:
    file = tmp_path / "odd.csv"
    file.write_text("placement_id,childs_name\nPL-x1,someone\n")
    result = await safeside("placement", "import", str(file), env=AS_MANAGER)
    assert result.exit_code == 2
    assert "column childs_name: this column is not a field of an adoption" in result.stderr
    refused = await safeside("placement", "import", str(file), env=AS_KEY_WORKER)
    assert refused.exit_code == 1
    assert "may not record adopt_placement" in refused.stderr
