"""The web page's forms say everything at once, at the field (issue 20): every wrong field in
one answer, each at its field and in an error summary linking to it, the domain's refusals at
the field they are about; a start is checked ("Check your answers") before it starts, in one
of the manager's own units, with an id made up when none is given and dates in UK order on the
London clock; the handover names the person handing over from the unit's staff."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import httpx
import pytest
import pytest_asyncio

from safeside.db import Pool
from safeside.ids import READABLE_ALPHABET
from starter.services.connection import Services
from starter.services.placements import current_state
from starter.web.session import CSRF_FIELD
from starter.web.uk_time import moment_parts
from tests.integration.starter.test_units import a_unit_with_a_child
from tests.support.organisation import given_staff
from tests.support.placements import new_placement_id
from tests.support.sessions import OpenSession, open_session
from tests.support.start_facts import start_form
from tests.support.starter import StartedPlacement, eventually
from workflows.domain.common import Role

pytestmark = pytest.mark.usefixtures("worker")


@pytest_asyncio.fixture(loop_scope="session")
async def key_worker(services: Services) -> OpenSession:
    return await open_session(services, "key_worker", "staff-17")


async def post(
    web: httpx.AsyncClient, session: OpenSession, path: str, form: dict[str, str], **headers: str
) -> httpx.Response:
    return await web.post(
        path, data=form | {CSRF_FIELD: session.csrf_token}, headers=session.cookie_header | headers
    )


def summary_links(page: str, summary_id: str) -> dict[str, str]:
    """The error summary's links: where each goes, and what it says."""
    found = re.search(rf'<div class="error-summary"[^>]*id="{summary_id}".*?</div>', page, re.S)
    assert found is not None, f"no error summary {summary_id}"
    assert "There is a problem" in found.group(0)
    return {
        href: html.unescape(text)
        for href, text in re.findall(r'<a href="#([^"]+)">(.*?)</a>', found.group(0))
    }


def field_message(page: str, field_id: str) -> str:
    found = re.search(rf'id="{field_id}-error">(.*?)</p>', page, re.S)
    assert found is not None, f"no message at {field_id}"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).removeprefix("Error: ").strip()


def typed_value(page: str, name: str) -> str:
    found = re.search(rf'<input type="text"[^>]* name="{name}"[^>]* value="([^"]*)"', page)
    assert found is not None, f"no input {name}"
    return html.unescape(found.group(1))


def hidden_inputs(page: str) -> dict[str, str]:
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    }


async def test_every_wrong_field_of_the_start_is_shown_at_once_with_a_summary_linking_to_each(
    web: httpx.AsyncClient, manager: OpenSession, pool: Pool
) -> None:
    form = start_form(new_placement_id()) | {
        "case_reference": "",
        "unit_id": "",
        "ukvi_relevant": "",
        "arrived_at-month": "13",
        "looked_after_since-year": "",
    }
    answer = await post(web, manager, "/web/start-placement", form)
    assert answer.status_code == 422
    links = summary_links(answer.text, "error-summary")
    assert links == {
        "start-placement-case_reference": "Case reference: Fill this in",
        "start-placement-unit_id": "Unit: Choose one",
        "start-placement-looked_after_since-day": "Looked after since: Include the year, "
        "such as 27 11 2026",
        "start-placement-arrived_at-day": "Arrived at: Enter a real date, such as 27 11 2026",
        "start-placement-ukvi_relevant-yes": "Are UK Visas and Immigration to be told? Choose one",
    }
    # Each link's target is on the page, and each field says its own message too.
    for target in links:
        assert f'id="{target}"' in answer.text, target
    assert field_message(answer.text, "start-placement-unit_id") == "Choose one"
    # What was typed stays; nothing was started.
    assert typed_value(answer.text, "first_language") == "Tigrinya"
    housed = "SELECT count(*) FROM placement_homes WHERE placement_id = $1"
    assert await pool.fetchval(housed, form["placement_id"]) == 0


async def test_the_unit_is_chosen_from_the_manager_s_own_units_only(
    web: httpx.AsyncClient, services: Services, pool: Pool
) -> None:
    await given_staff(pool, "rm-ash", [Role.registered_manager], ["UNIT-A"])
    ash = await open_session(services, "registered_manager", "rm-ash")
    page = await web.get("/web/start-placement", headers=ash.cookie_header)
    assert page.status_code == 200
    select = re.search(r'<select id="start-placement-unit_id".*?</select>', page.text, re.S)
    assert select is not None
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(0))
    # Their one unit, chosen already; never a unit they do not work in.
    assert options[1:] == [("UNIT-A", "Ash House (UNIT-A)")]
    assert 'value="UNIT-A" selected' in select.group(0)
    refused = await post(web, ash, "/web/start-placement", start_form(new_placement_id()))
    assert refused.status_code == 422
    assert field_message(refused.text, "start-placement-unit_id").startswith(
        "Choose one of the units you work in"
    )


async def test_a_start_is_checked_changed_and_started_with_an_id_made_up_for_it(
    web: httpx.AsyncClient, manager: OpenSession, pool: Pool
) -> None:
    form = start_form("") | {"case_reference": "CASE-1"}
    check = await post(web, manager, "/web/start-placement", form)
    assert check.status_code == 200
    assert "Check your answers" in check.text
    answers = hidden_inputs(check.text)
    placement_id = answers["placement_id"]
    assert re.fullmatch(rf"PL-[{READABLE_ALPHABET}]{{6}}", placement_id)
    assert 'id="answer-unit_id">Birch House (UNIT-7)' in check.text
    assert "(UK time)" in check.text
    assert 'formaction="/web/start-placement/change#start-placement-case_reference"' in check.text

    # Change: back to the form with every answer kept (the id made up too).
    changing = await post(web, manager, "/web/start-placement/change", answers)
    assert changing.status_code == 200
    assert typed_value(changing.text, "case_reference") == "CASE-1"
    assert typed_value(changing.text, "placement_id") == placement_id
    changed = await post(
        web, manager, "/web/start-placement", answers | {"case_reference": "CASE-2"}
    )
    assert 'id="answer-case_reference">CASE-2' in changed.text
    assert hidden_inputs(changed.text)["placement_id"] == placement_id

    started = await post(web, manager, "/web/start-placement/confirm", hidden_inputs(changed.text))
    assert started.status_code == 303
    assert started.headers["location"] == f"/web/placements/{placement_id}?started=1"
    assert (
        await pool.fetchval(
            "SELECT unit_id FROM placement_homes WHERE placement_id = $1", placement_id
        )
        == "UNIT-7"
    )


async def test_the_answers_are_checked_again_when_the_start_is_confirmed(
    web: httpx.AsyncClient, manager: OpenSession, pool: Pool
) -> None:
    placement_id = new_placement_id()
    tampered = start_form(placement_id) | {"arrived_at-time": "25:00"}
    answer = await post(web, manager, "/web/start-placement/confirm", tampered)
    assert answer.status_code == 422
    assert field_message(answer.text, "start-placement-arrived_at") == (
        "Enter the time in 24 hours, such as 21:30"
    )
    housed = "SELECT count(*) FROM placement_homes WHERE placement_id = $1"
    assert await pool.fetchval(housed, placement_id) == 0


@pytest.mark.parametrize(
    ("day", "month", "typed", "utc"),
    [
        # British Summer Time: the London clock is an hour ahead of UTC.
        ("1", "7", "21:32", datetime(2026, 7, 1, 20, 32, tzinfo=UTC)),
        # Greenwich Mean Time: the London clock is UTC.
        ("3", "11", "0905", datetime(2026, 11, 3, 9, 5, tzinfo=UTC)),
    ],
)
async def test_an_arrival_typed_in_uk_order_on_the_london_clock_is_kept_in_utc(
    web: httpx.AsyncClient,
    manager: OpenSession,
    services: Services,
    day: str,
    month: str,
    typed: str,
    utc: datetime,
) -> None:
    placement_id = new_placement_id()
    form = start_form(placement_id) | {
        "arrived_at-day": day, "arrived_at-month": month, "arrived_at-year": "2026",
        "arrived_at-time": typed,
        "looked_after_since-day": "1", "looked_after_since-month": "6",
        "looked_after_since-year": "2026",
    }  # fmt: skip
    check = await post(web, manager, "/web/start-placement", form)
    assert check.status_code == 200, field_message(check.text, "start-placement-arrived_at")
    local = f"{day} {utc.strftime('%B')} 2026 at {typed[:2]}:{typed[-2:]} (UK time)"
    assert local in check.text
    started = await post(web, manager, "/web/start-placement/confirm", hidden_inputs(check.text))
    assert started.status_code == 303

    async def kept() -> bool:
        state = await current_state(services.client, placement_id)
        return state.facts is not None and state.facts.arrived_at == utc

    await eventually(kept)


async def test_an_action_form_shows_every_field_at_once_and_the_domain_s_refusal_at_its_field(
    web: httpx.AsyncClient, key_worker: OpenSession, started: StartedPlacement
) -> None:
    placement_id = await started()
    actions = f"/web/placements/{placement_id}/actions"
    empty = await post(web, key_worker, f"{actions}/return", {}, **{"HX-Request": "true"})
    assert empty.status_code == 422
    assert summary_links(empty.text, "return-error-summary") == {
        "return-returned_at-day": "Back at: Enter the date and time",
        "return-found_by_reference": "Found or brought back by: Fill this in",
        "return-where_found_reference": "Where the child was found: Fill this in",
    }
    assert '<details id="return" open>' in empty.text

    # The child's first language is not English: the leaflet needs an interpreter, and the
    # domain says so at the interpreter's reference.
    leaflet = {"language": "Tigrinya", "child_understanding": "understood"} | moment_parts(
        "delivered_at", datetime.now(UTC)
    )
    refused = await post(web, key_worker, f"{actions}/leaflet-delivered", leaflet)
    assert refused.status_code == 409
    message = "The leaflet must be explained with an interpreter: give the interpreter's reference"
    assert field_message(refused.text, "leaflet-delivered-interpreter_reference") == message
    assert summary_links(refused.text, "leaflet-delivered-error-summary") == {
        "leaflet-delivered-interpreter_reference": f"Interpreter's reference: {message}"
    }


async def test_every_field_the_domain_refuses_is_shown_at_its_field_in_one_answer(
    web: httpx.AsyncClient, key_worker: OpenSession, started: StartedPlacement
) -> None:
    placement_id = await started()
    # The child needs an interpreter, and the leaflet is in another language than theirs:
    # both are said in the one answer, each at its field and in the summary.
    leaflet = {"language": "French", "child_understanding": "understood"} | moment_parts(
        "delivered_at", datetime.now(UTC)
    )
    refused = await post(
        web, key_worker, f"/web/placements/{placement_id}/actions/leaflet-delivered", leaflet
    )
    assert refused.status_code == 409
    interpreter = (
        "The leaflet must be explained with an interpreter: give the interpreter's reference"
    )
    language = (
        "The leaflet must be in the child's own language, "
        "the first language recorded when the placement started"
    )
    assert field_message(refused.text, "leaflet-delivered-interpreter_reference") == interpreter
    assert field_message(refused.text, "leaflet-delivered-language") == language
    assert summary_links(refused.text, "leaflet-delivered-error-summary") == {
        "leaflet-delivered-language": f"Language of the leaflet: {language}",
        "leaflet-delivered-interpreter_reference": f"Interpreter's reference: {interpreter}",
    }
    assert typed_value(refused.text, "language") == "French"


async def test_a_recorded_form_closes_and_says_what_it_recorded_and_when(
    web: httpx.AsyncClient, key_worker: OpenSession, started: StartedPlacement
) -> None:
    placement_id = await started()
    actions = f"/web/placements/{placement_id}/actions"
    moment = datetime.now(UTC).replace(second=0, microsecond=0)
    form = {"category": "mood", "note_reference_or_text": "LOG-1"} | moment_parts(
        "observed_at", moment
    )
    answer = await post(web, key_worker, f"{actions}/observation", form, **{"HX-Request": "true"})
    assert answer.status_code == 200
    local = moment_parts("observed_at", moment)["observed_at-time"]
    assert f"Recorded: the observation at {local}." in answer.text
    assert '<details id="observation">' in answer.text  # closed

    # Without script: post, redirect, get, and the page says the same.
    form["note_reference_or_text"] = "LOG-2"
    redirected = await post(web, key_worker, f"{actions}/observation", form)
    assert redirected.status_code == 303
    page = await web.get(redirected.headers["location"], headers=key_worker.cookie_header)
    assert f"Recorded: the observation at {local}." in page.text


async def test_the_handover_names_who_handed_over_from_the_unit_s_staff_and_shows_who_acknowledged(
    web: httpx.AsyncClient, key_worker: OpenSession, services: Services, pool: Pool
) -> None:
    # A unit of its own: a unit's workflow outlives a test, so it keeps to this test's worker.
    unit_id, _ = await a_unit_with_a_child(services)
    await given_staff(pool, "rw-night", [Role.residential_worker], [unit_id])
    handover = f"/web/units/{unit_id}/handover"
    page = await web.get(handover, headers=key_worker.cookie_header)
    assert page.status_code == 200
    select = re.search(
        r'<select id="acknowledge-handover-handed_over_by_reference".*?</select>', page.text, re.S
    )
    assert select is not None
    offered = re.findall(r'<option value="([^"]+)"', select.group(0))
    # The unit's staff now, not the person acknowledging, nor anyone of another unit.
    assert offered == ["rw-night", "staff-01"]

    wrong = await post(
        web, key_worker, f"{handover}/acknowledge",
        {"handed_over_by_reference": "kw-other"},
    )  # fmt: skip
    assert wrong.status_code == 422
    assert field_message(wrong.text, "acknowledge-handover-handed_over_by_reference") == (
        "Choose the person handing over to you from the unit's staff"
    )

    done = await post(
        web, key_worker, f"{handover}/acknowledge",
        {"handed_over_by_reference": "staff-01"}, **{"HX-Request": "true"},
    )  # fmt: skip
    assert done.status_code == 200
    assert "Recorded: your acknowledgement of the handover at" in done.text
    assert re.search(
        r"Acknowledged by staff-17 at [^<]+ (GMT|BST), handed over by staff-01", done.text
    )
