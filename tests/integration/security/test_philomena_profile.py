"""The Philomena Protocol profile (issue 22) through the API, the command line, the web page,
the worker and PostgreSQL: recorded by the unit's staff, read whole by them alone (every read in
the access log), its structure alone for the social worker and for a manager of another unit
who opened the child by break-glass, refused to the auditor; when the child is reported missing
the police's notice carries parts 1 and 2 whole, and no other notice, log line or refusal holds
anything of it."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from safeside.db import Pool
from safeside.redact import REDACTED
from starter.services.connection import Services
from tests.integration.security import test_log_privacy
from tests.support.organisation import given_staff
from tests.support.security import bearer
from tests.support.sessions import open_session
from tests.support.starter import Cli, StartedPlacement, eventually
from workflows.domain.common import Role

pytestmark = pytest.mark.usefixtures("worker")

# Every line of every logger, captured at INFO (``test_log_privacy``).
every_log_line = test_log_privacy.every_log_line

DESCRIPTION = "PHILO-description slight build, scar on left hand"
PHOTO, CLOTHES = "PHILO-photo-1", "PHILO-clothes-1"
ASSOCIATE, PLACE = "PHILO-associate-1", "PHILO-place-1"
PROFILE = {
    "physical_description": DESCRIPTION,
    "photograph_references": [PHOTO],
    "clothing_references": [CLOTHES],
    "known_associate_references": [ASSOCIATE],
    "known_place_references": [PLACE],
}
PART_1 = (DESCRIPTION, PHOTO, CLOTHES, ASSOCIATE, PLACE)
LAST_SEEN = "PHILO-last-seen-bus-stop"
KEY_WORKER = bearer("key_worker", "staff-17")  # a member of UNIT-7, the child's unit
SOCIAL_WORKER = bearer("social_worker", "sw-204")  # allocated by the start facts
OTHER_MANAGER = bearer("registered_manager", "rm-philo")  # of another unit only
AUDITOR = bearer("auditor", "audit-01")


def _ago(minutes: int) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


async def _profiled_and_missing(api: httpx.AsyncClient, started: StartedPlacement) -> str:
    placement_id = await started()
    recorded = await api.post(
        f"/placements/{placement_id}/actions/philomena-profile", json=PROFILE, headers=KEY_WORKER
    )
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["events"] == ["philomena_profile_recorded"]
    reported = await api.post(
        f"/placements/{placement_id}/actions/report-missing",
        json={"kind": "missing", "last_seen_at": _ago(30), "last_seen_place_reference": LAST_SEEN,
              "circumstances": "did not come back from college", "clothing_reference": "PHIL-2-7"},
        headers=KEY_WORKER,
    )  # fmt: skip
    assert reported.status_code == 200, reported.text
    return placement_id


async def _sheet(api: httpx.AsyncClient, placement_id: str, who: dict[str, str]) -> Any:
    answer = await api.get(f"/placements/{placement_id}/philomena", headers=who)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_the_unit_s_staff_read_it_whole_and_the_police_are_sent_parts_1_and_2(
    api: httpx.AsyncClient,
    pool: Pool,
    started: StartedPlacement,
    every_log_line: io.StringIO,
) -> None:
    placement_id = await _profiled_and_missing(api, started)
    sheet: dict[str, Any] = {}

    async def part_2_stored() -> bool:
        sheet.update(await _sheet(api, placement_id, KEY_WORKER))
        return sheet["missing_report"]["last_seen_place_reference"] is not None

    await eventually(part_2_stored)
    assert {k: sheet["philomena_profile"][k] for k in PROFILE} == PROFILE
    assert sheet["missing_report"]["last_seen_place_reference"] == LAST_SEEN
    assert sheet["missing_report"]["returned_at"] is None
    logged = await pool.fetch(
        "SELECT role, allowed FROM access_log WHERE placement_id = $1 AND what = $2",
        placement_id,
        "philomena_profile",
    )
    assert logged
    assert all(row["allowed"] and row["role"] == "key_worker" for row in logged)

    async def police_sent() -> bool:
        return bool(await _contents(pool, placement_id, "police"))

    await eventually(police_sent, within=60)
    [to_police] = await _contents(pool, placement_id, "police")
    assert all(value in to_police for value in (*PART_1, LAST_SEEN))
    for recipient, content in await _other_contents(pool, placement_id):
        assert not any(value in content for value in PART_1), recipient
    lines = every_log_line.getvalue()
    assert placement_id in lines  # the capture sees the lines about this child
    assert not any(value in lines for value in PART_1)


async def _contents(pool: Pool, placement_id: str, recipient: str) -> list[str]:
    rows = await pool.fetch(
        "SELECT content::text AS content FROM notifications WHERE stream_id = $1"
        " AND recipient = $2 AND purpose = 'missing_children_proforma'",
        placement_id,
        recipient,
    )
    return [row["content"] for row in rows]


async def _other_contents(pool: Pool, placement_id: str) -> list[tuple[str, str]]:
    rows = await pool.fetch(
        "SELECT recipient, content::text AS content FROM notifications"
        " WHERE stream_id = $1 AND recipient <> 'police'",
        placement_id,
    )
    assert rows, "the story told nobody but the police"
    return [(row["recipient"], row["content"]) for row in rows]


async def test_anyone_else_who_reads_the_child_sees_its_structure_alone(
    api: httpx.AsyncClient, pool: Pool, started: StartedPlacement
) -> None:
    await given_staff(pool, "rm-philo", [Role.registered_manager], ["UNIT-OTHER"])
    placement_id = await _profiled_and_missing(api, started)
    opened = await api.post(
        f"/placements/{placement_id}/break-glass",
        json={"reason": "covering UNIT-7 tonight"},
        headers=OTHER_MANAGER,
    )
    assert opened.status_code == 201, opened.text
    for who in (SOCIAL_WORKER, OTHER_MANAGER):
        for route in ("/philomena", "", "/audit"):
            answer = await api.get(f"/placements/{placement_id}{route}", headers=who)
            assert answer.status_code == 200, (route, answer.text)
            assert not any(value in answer.text for value in PART_1), route
        profile = (await _sheet(api, placement_id, who))["philomena_profile"]
        assert profile["profile_recorded_at"] is not None
        assert all(profile[field] == REDACTED for field in PROFILE)
    refused = await api.get(f"/placements/{placement_id}/philomena", headers=AUDITOR)
    assert refused.status_code == 403
    assert "may not read the philomena profile" in refused.text


async def test_a_wrong_profile_is_refused_field_by_field_without_echoing_it(
    api: httpx.AsyncClient, started: StartedPlacement
) -> None:
    placement_id = await started()
    answer = await api.post(
        f"/placements/{placement_id}/actions/philomena-profile",
        json={"physical_description": " ", "known_place_references": ["PHILO-" + "x" * 130]},
        headers=KEY_WORKER,
    )
    assert answer.status_code == 409, answer.text
    assert "PHILO-" not in answer.text
    refused = await api.post(
        f"/placements/{placement_id}/actions/philomena-profile", json=PROFILE, headers=SOCIAL_WORKER
    )
    assert refused.status_code == 403
    assert "may not record record_philomena_profile" in refused.text


async def test_the_command_line_and_the_printable_page_show_it_to_the_unit_s_staff(
    api: httpx.AsyncClient, services: Services, started: StartedPlacement, safeside: Cli
) -> None:
    placement_id = await started()
    as_key_worker = {"SAFESIDE_TOKEN": KEY_WORKER["Authorization"].removeprefix("Bearer ")}
    recorded = await safeside(
        "placement", "record", "philomena-profile", placement_id,
        "--physical-description", DESCRIPTION, "--photograph-references", PHOTO,
        "--photograph-references", "PHILO-photo-2", env=as_key_worker,
    )  # fmt: skip
    assert recorded.exit_code == 0, recorded.output
    shown = await safeside("placement", "philomena", placement_id, env=as_key_worker)
    assert shown.exit_code == 0, shown.output
    assert DESCRIPTION in shown.output
    assert f"{PHOTO}, PHILO-photo-2" in shown.output
    assert "never missing" in shown.output

    session = await open_session(services, "key_worker", "staff-17")
    page = await api.get(f"/web/placements/{placement_id}/philomena", headers=session.cookie_header)
    assert page.status_code == 200, page.text
    assert DESCRIPTION in page.text
    assert "PHILO-photo-2" in page.text
    assert "The child has not gone missing" in page.text
    placement_page = await api.get(f"/web/placements/{placement_id}", headers=session.cookie_header)
    assert "part 1 recorded" in placement_page.text
    assert f"/web/placements/{placement_id}/philomena" in placement_page.text
