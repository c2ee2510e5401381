"""A child reported missing is watched, not late: the episode's ladder shows under "Missing
now" and on the placement page, and no list of overdue deadlines includes it."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import pytest_asyncio

from safeside.db import Pool
from starter.api.app import create_app
from starter.services.connection import Services
from tests.support.security import token_for
from tests.support.sessions import signed_in_cookie
from tests.support.starter import Cli, StartedPlacement, eventually

pytestmark = pytest.mark.usefixtures("worker")

AS_MANAGER = {"SAFESIDE_TOKEN": token_for("registered_manager", "staff-01")}
# Reported a moment ago: the Duty Manager is told 24 hours after the report.
NEXT_STEP = re.compile(r"Duty manager at 24 h — in 23 h \d+ min")


@pytest_asyncio.fixture(loop_scope="session")
async def browser(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """The web pages as the Registered Manager (staff-01) signed in reads them."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(services)),
        base_url="http://safeside.test",
        cookies=await signed_in_cookie(services, "registered_manager", "staff-01"),
    ) as client:
        yield client


async def report_missing(api: httpx.AsyncClient, pool: Pool, placement_id: str) -> None:
    answer = await api.post(
        f"/placements/{placement_id}/actions/report-missing",
        json={
            "kind": "missing",
            "last_seen_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
            "last_seen_place_reference": "PLACE-REF-1",
            "circumstances": "did not come back from college",
            "clothing_reference": "PHIL-2-0042",
        },
    )
    assert answer.status_code == 200, answer.text

    async def watched() -> bool:
        found: int = await pool.fetchval(
            "SELECT count(*) FROM open_deadlines WHERE stream_id = $1 AND kind = $2",
            placement_id,
            "missing_episode",
        )
        return found == 1

    await eventually(watched)


async def test_a_child_just_reported_missing_is_on_no_overdue_list(
    api: httpx.AsyncClient, started: StartedPlacement, pool: Pool, safeside: Cli
) -> None:
    placement_id = await started()
    await report_missing(api, pool, placement_id)

    overdue = (await api.get("/deadlines", params={"status": "overdue"})).json()["items"]
    assert overdue == []
    everything = (await api.get("/deadlines")).json()["items"]
    (watch,) = [d for d in everything if d["kind"] == "missing_episode"]
    assert (watch["watch"], watch["overdue"], watch["next_step_name"]) == (
        True,
        False,
        "duty_manager",
    )
    (listed,) = (await api.get("/placements")).json()["items"]
    assert (listed["missing"], listed["overdue_count"]) == (True, 0)
    # The next deadline is a real one still to meet, not the watch's start.
    next_due = min(d["due_at"] for d in everything if not d["watch"])
    assert listed["next_deadline_at"] == next_due
    assert (await api.get("/placements", params={"overdue": "true"})).json()["items"] == []

    cli = await safeside("deadlines", "--overdue", "--json", env=AS_MANAGER)
    assert cli.exit_code == 0, cli.output
    assert json.loads(cli.stdout)["items"] == []


async def test_today_shows_the_missing_child_s_next_step_and_nothing_overdue(
    api: httpx.AsyncClient, browser: httpx.AsyncClient, started: StartedPlacement, pool: Pool
) -> None:
    placement_id = await started()
    await report_missing(api, pool, placement_id)

    page = await browser.get("/")
    assert page.status_code == 200, page.text
    missing_now, _, rest = page.text.partition('id="overdue-heading"')
    assert placement_id in missing_now
    assert NEXT_STEP.search(missing_now)
    overdue, _, _ = rest.partition('id="due-heading"')
    assert '<span class="count">0</span>' in overdue
    assert "Nothing is overdue." in overdue
    # The panel shows what the police are handed: a read of the child's record, logged.
    logged = await pool.fetch(
        "SELECT subject, role, allowed FROM access_log WHERE placement_id = $1 AND what = $2",
        placement_id,
        "missing_alert",
    )
    assert [tuple(row) for row in logged] == [("staff-01", "registered_manager", True)]


async def test_the_placement_page_shows_the_watch_with_its_ladder_not_as_overdue(
    api: httpx.AsyncClient, browser: httpx.AsyncClient, started: StartedPlacement, pool: Pool
) -> None:
    placement_id = await started()
    await report_missing(api, pool, placement_id)

    page = await browser.get(f"/web/placements/{placement_id}")
    assert page.status_code == 200, page.text
    banner, _, rest = page.text.partition('id="summary-heading"')
    assert NEXT_STEP.search(banner)
    deadlines, _, _ = rest.partition('id="missing-heading"')
    (row,) = [row for row in deadlines.split("<tr>") if "Missing episode" in row]
    assert "overdue" not in row
    assert "watched until the child returns" in row
    assert NEXT_STEP.search(row)
