"""Forms that say everything at once, at the field (issue 20), in the browser: the start shows
every wrong field together with a summary whose links take the cursor to each, then "Check
your answers" (and "Change" keeps them), in one of the manager's own units, dates in UK order;
an action's form closes once recorded and says what it recorded; and the handover names the
person handing over from a list."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.async_api import Page, expect

from safeside.db import Pool
from starter.services.connection import Services
from tests.e2e.conftest import SignIn
from tests.support.organisation import given_unit_with_staff
from tests.support.screens import on_every_screen
from tests.support.starter import placement_in_a_unit_of_its_own
from tests.support.units import new_unit_id
from tests.support.web import fill_in_the_start_s_facts, reload_until


async def fill_the_start_but_the_unit_and_a_date(manager: Page) -> None:
    form = manager.locator("form.narrow")
    await fill_in_the_start_s_facts(form)
    await manager.locator("#start-placement-ukvi_relevant-no").check()
    await manager.locator("#start-placement-arrived_at-month").fill("13")


async def test_the_start_says_every_problem_at_once_then_checks_the_answers(
    sign_in: SignIn, pool: Pool, web: str, screenshots: Path
) -> None:
    unit_id = new_unit_id()
    await given_unit_with_staff(pool, unit_id)
    manager = await sign_in("registered_manager", "staff-01")
    await manager.get_by_role("link", name="Start a placement").click()
    await expect(manager.get_by_text("UK time (London), 24-hour clock").first).to_be_visible()
    unit = manager.locator("#start-placement-unit_id option")
    # Only the manager's own units, by name and id.
    await expect(unit.filter(has_text=f"({unit_id})")).to_have_count(1)
    await expect(unit.filter(has_text="(UNIT-OTHER)")).to_have_count(0)

    await fill_the_start_but_the_unit_and_a_date(manager)
    await manager.get_by_role("button", name="Continue").click()
    summary = manager.locator("#error-summary")
    await expect(summary).to_be_focused()
    await expect(summary.get_by_role("link")).to_have_text(
        ["Unit: Choose one", "Arrived at: Enter a real date, such as 27 11 2026"]
    )
    await expect(manager.locator("#start-placement-unit_id-error")).to_be_visible()
    await expect(manager.locator("#start-placement-arrived_at-error")).to_be_visible()
    await summary.get_by_role("link", name="Arrived at").click()
    await expect(manager.locator("#start-placement-arrived_at-day")).to_be_focused()
    await on_every_screen(manager, "start-errors-summary", screenshots)

    # Corrected: the answers to check, with an id made up, easy to read aloud.
    await manager.locator("#start-placement-unit_id").select_option(unit_id)
    now = datetime.now(UTC) - timedelta(minutes=5)
    await manager.locator("#start-placement-arrived_at-month").fill(str(now.month))
    await manager.get_by_role("button", name="Continue").click()
    await expect(manager.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before starting the placement"
    )
    await expect(manager.locator("#answer-case_reference")).to_have_text("CASE-88412")
    await on_every_screen(manager, "start-check-your-answers", screenshots)
    generated = await manager.locator("#answer-placement_id").inner_text()
    assert re.fullmatch(r"PL-[A-HJKMNP-TW-Z2-9]{6}", generated), generated

    # Change one answer: back to the form with them all kept.
    await manager.locator("#change-case_reference").click()
    await expect(manager.locator("#start-placement-case_reference")).to_have_value("CASE-88412")
    await expect(manager.locator("#start-placement-placement_id")).to_have_value(generated)
    await manager.locator("#start-placement-case_reference").fill("CASE-88413")
    await manager.get_by_role("button", name="Continue").click()
    await expect(manager.locator("#answer-case_reference")).to_have_text("CASE-88413")

    await manager.get_by_role("button", name="Start the placement").click()
    await expect(manager.get_by_role("heading", level=1)).to_have_text(f"Placement {generated}")
    await expect(manager.get_by_role("status").first).to_contain_text("The placement has started")


async def test_an_action_says_all_its_problems_then_closes_saying_what_it_recorded(
    sign_in: SignIn, services: Services, pool: Pool, web: str
) -> None:
    placement_id, _ = await placement_in_a_unit_of_its_own(services, pool)
    key_worker = await sign_in("key_worker", "staff-17")
    await key_worker.goto(f"/web/placements/{placement_id}")

    await key_worker.get_by_text("Record a risk assessment (R8, R17)").click()
    form = key_worker.locator("#form-risk-assessment")
    when = form.locator("#risk-assessment-assessed_at-time")
    now = await when.input_value()  # a fresh form's time is now
    await when.fill("")
    await form.get_by_role("button", name="Record the assessment").click()
    summary = form.get_by_role("alert")
    await expect(summary.get_by_role("link")).to_have_text(
        [
            "Risk level: Choose one",
            "Risk factors: Fill this in",
            "Did the child take part? Choose one",
            "The child's views (R9): Fill this in",
            "When it was assessed: Include the time, in 24 hours, such as 21:30",
        ]
    )
    await expect(form.locator(".error-message")).to_have_count(5)
    await summary.get_by_role("link", name="Risk factors").click()
    await expect(form.get_by_label("Risk factors")).to_be_focused()

    await form.get_by_label("Risk level").select_option("medium")
    await form.get_by_label("Risk factors").fill("waiting car")
    await form.locator("#risk-assessment-child_participated-yes").check()
    await form.get_by_label("The child's views (R9)").fill("wants to stay")
    await when.fill(now)
    await form.get_by_role("button", name="Record the assessment").click()
    done = key_worker.locator("#done-risk-assessment")
    await expect(done).to_contain_text("Recorded: the risk assessment at ")
    await expect(key_worker.locator("details#risk-assessment")).not_to_have_attribute("open", "")


async def test_the_handover_is_acknowledged_naming_who_handed_over_from_a_list(
    sign_in: SignIn, services: Services, pool: Pool, web: str
) -> None:
    _, unit_id = await placement_in_a_unit_of_its_own(services, pool)
    key_worker = await sign_in("key_worker", "staff-17")
    await key_worker.goto(f"/web/units/{unit_id}/handover")
    form = key_worker.locator("#form-acknowledge-handover")
    await reload_until(key_worker, form)  # the unit's workflow starts with its first child
    handed_over_by = form.get_by_label("Handed over by")
    await expect(handed_over_by.locator("option")).to_have_text(["Choose…", re.compile("staff-01")])
    await form.get_by_role("button", name="I have read the handover").click()
    await expect(form.get_by_role("alert")).to_contain_text("Handed over by: Choose one")
    await handed_over_by.select_option("staff-01")
    await form.get_by_role("button", name="I have read the handover").click()
    part = key_worker.locator("#acknowledge-handover")
    await expect(part.get_by_role("status")).to_contain_text(
        "Recorded: your acknowledgement of the handover at "
    )
    await expect(part).to_contain_text("Acknowledged by staff-17 at")
    await expect(part).to_contain_text("handed over by staff-01")
