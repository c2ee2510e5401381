"""A start is accepted only if the placement can run, and a placement whose workflow stores
nothing is never silent: the web form shows a wrong date at its field, Today shows a placement
that is not running to its unit's managers, and /metrics counts it."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from safeside.db import Pool
from safeside.not_running import NOT_RUNNING_AFTER
from starter.services.connection import Services
from starter.web.session import CSRF_FIELD
from tests.support.organisation import given_home
from tests.support.placements import new_placement_id
from tests.support.sessions import OpenSession, open_session
from tests.support.start_facts import start_form
from tests.support.starter import StartedPlacement, eventually

pytestmark = pytest.mark.usefixtures("worker")


def field_message(html: str, field: str) -> str:
    """The message the start form shows at ``field``."""
    found = re.search(rf'id="start-placement-{field}-error">(.*?)</p>', html, re.DOTALL)
    assert found is not None, f"no message at {field}"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


async def not_running_count(web: httpx.AsyncClient) -> float:
    text = (await web.get("/metrics")).text
    for family in text_string_to_metric_families(text):
        if family.name == "safeside_placements_not_running":
            return family.samples[0].value
    raise AssertionError("/metrics has no safeside_placements_not_running")


async def test_an_arrival_in_1900_on_the_web_form_is_shown_at_the_field_and_nothing_starts(
    web: httpx.AsyncClient, manager: OpenSession, pool: Pool
) -> None:
    placement_id = new_placement_id()
    form = start_form(placement_id, **{"arrived_at-year": "1900"})
    form[CSRF_FIELD] = manager.csrf_token
    answer = await web.post("/web/start-placement", data=form, headers=manager.cookie_header)
    assert answer.status_code == 422
    assert "The arrival date must be between 2000 and 2100" in field_message(
        answer.text, "arrived_at"
    )
    assert "Temporal" not in answer.text
    housed = await pool.fetchval(
        "SELECT count(*) FROM placement_homes WHERE placement_id = $1", placement_id
    )
    assert housed == 0


async def test_a_placement_that_stored_nothing_shows_on_today_for_its_managers_and_in_metrics(
    web: httpx.AsyncClient, manager: OpenSession, services: Services, pool: Pool
) -> None:
    before = await not_running_count(web)
    placement_id = new_placement_id()
    # Started long enough ago, and its workflow never stored its start.
    await given_home(pool, placement_id)
    await pool.execute(
        "UPDATE placement_homes SET placed_at = now() - $2::interval WHERE placement_id = $1",
        placement_id,
        NOT_RUNNING_AFTER + timedelta(minutes=1),
    )

    today = await web.get("/web/today", headers=manager.cookie_header)
    assert today.status_code == 200
    section = today.text.split('id="not-running-heading"', 1)[1].split("</section>", 1)[0]
    row = section.split(placement_id, 1)[1].split("</tr>", 1)[0]
    assert "UNIT-7" in row
    assert "not running" in row
    assert await not_running_count(web) == before + 1

    # A key worker of the unit is not the one to act on it.
    key_worker = await open_session(services, "key_worker", "staff-17")
    for_key_worker = await web.get("/web/today", headers=key_worker.cookie_header)
    assert for_key_worker.status_code == 200
    assert placement_id not in for_key_worker.text


async def test_a_placement_whose_workflow_runs_is_never_shown_as_not_running(
    web: httpx.AsyncClient, manager: OpenSession, pool: Pool, started: StartedPlacement
) -> None:
    placement_id = await started()

    async def stored() -> bool:
        found: int = await pool.fetchval(
            "SELECT count(*) FROM events WHERE stream_id = $1", placement_id
        )
        return found > 0

    await eventually(stored)
    await pool.execute(
        "UPDATE placement_homes SET placed_at = now() - interval '1 day' WHERE placement_id = $1",
        placement_id,
    )
    today = await web.get("/web/today", headers=manager.cookie_header)
    assert today.status_code == 200
    not_running = today.text.split('id="not-running-heading"', 1)
    assert len(not_running) == 1 or placement_id not in not_running[1].split("</section>")[0]
