"""Missing is an alert, not a row: the Duty Manager's Today, open at 3 a.m., turns red when a
child goes missing, says it to a screen reader once, and shows what to do now (who reported,
whether the police know, what to hand them, the return, the next step); the placement page
shows the same; the chronology reads in sentences; ended placements are listed apart."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.async_api import Page, expect

from safeside.db import Pool
from starter.services.connection import Services
from starter.services.placements import record_action
from starter.services.recording import start_placement_workflow
from tests.e2e.conftest import SignIn
from tests.support.organisation import (
    given_new_unit_with_its_own_duty_manager,
    given_unit_with_staff,
)
from tests.support.placements import KEY_WORKER, MANAGER, new_placement_id, start_command
from tests.support.units import new_unit_id
from tests.support.web import reload_until, save_screenshot
from workflows.domain.commands import EndPlacement, RecordPoliceAcknowledgement, ReportMissing
from workflows.domain.common import MissingKind, PoliceRiskGrade

CAD = "CAD-5521"
NEXT_STEP = re.compile(r"Duty manager at 24 h — in 23 h \d+ min")

# Counts, in the page, the changes to the live region and the refreshes of the live part.
WATCH_THE_PAGE = """() => {
  window.announcements = 0;
  window.refreshes = 0;
  new MutationObserver(() => { window.announcements += 1; }).observe(
    document.getElementById("missing-announcement"),
    {childList: true, subtree: true, characterData: true});
  document.body.addEventListener("htmx:afterSwap", () => { window.refreshes += 1; });
}"""


async def started(services: Services, unit_id: str) -> str:
    placement_id = new_placement_id()
    arrived = datetime.now(UTC) - timedelta(hours=3)
    await start_placement_workflow(services, start_command(placement_id, arrived, unit_id=unit_id))
    return placement_id


async def report_missing(services: Services, placement_id: str) -> None:
    report = ReportMissing(
        actor=KEY_WORKER,
        kind=MissingKind.missing,
        last_seen_at=datetime.now(UTC) - timedelta(minutes=40),
        last_seen_place_reference="bus stop, ref LS-4",
        circumstances="did not come back from school",
        clothing_reference="PHILOMENA-2-18",
        police_risk_grade=PoliceRiskGrade.high,
    )
    await record_action(services.client, placement_id, report)


async def after_refreshes(page: Page, more: int, within: float = 20.0) -> None:
    """Wait until the live part has fetched itself ``more`` times again."""
    start: int = await page.evaluate("window.refreshes")
    deadline = asyncio.get_running_loop().time() + within
    while await page.evaluate("window.refreshes") < start + more:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"Today did not refresh {more} times in {within} s")
        await asyncio.sleep(0.2)


async def test_a_child_missing_while_today_is_open_is_an_alert_said_once(
    sign_in: SignIn, services: Services, pool: Pool, screenshots: Path
) -> None:
    unit_id = await given_new_unit_with_its_own_duty_manager(pool, "dm-20")
    placement_id = await started(services, unit_id)

    duty = await sign_in("duty_manager", "dm-20")
    await expect(duty).to_have_title(re.compile(r"^Today\W"))
    await expect(duty.locator("#missing-heading ~ p").first).to_have_text("No child is missing.")
    await expect(duty.locator("#missing-heading .count")).not_to_have_class(
        re.compile("count-alert")
    )
    await duty.evaluate(WATCH_THE_PAGE)

    # A key worker reports the child missing while the Duty Manager's page is open.
    await report_missing(services, placement_id)
    announced = duty.locator("#missing-announcement")
    await expect(announced).to_have_text(
        f"Reported missing: placement {placement_id}. 1 child missing now."
    )
    await expect(announced).to_have_attribute("role", "alert")
    await expect(duty).to_have_title(re.compile(r"^\(1 missing\) Today\W"))
    badge = duty.locator("#missing-heading .count")
    await expect(badge).to_have_text("1")
    await expect(badge).to_have_class(re.compile(r"\bcount-alert\b"))

    # The red panel: what to do now.
    panel = duty.locator(".missing-alert", has_text=placement_id)
    await expect(panel.get_by_role("heading", level=3)).to_have_text(
        f"Missing: placement {placement_id}"
    )
    facts = panel.locator("dl.missing-alert-facts")
    await expect(facts.locator('dt:text-is("Unit") + dd')).to_have_text(unit_id)
    await expect(facts.locator('dt:text-is("Reported") + dd')).to_contain_text(
        "by key worker staff-17"
    )
    await expect(facts.locator('dt:text-is("Police told") + dd')).to_contain_text(
        re.compile(r"^yes, \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d (GMT|BST)$")
    )
    await expect(facts.locator('dt:text-is("Police reference") + dd')).to_contain_text(
        "not acknowledged yet"
    )
    await expect(facts.locator('dt:text-is("Police risk grade") + dd')).to_have_text("High")
    await expect(facts.locator('dt:text-is("Next step") + dd')).to_have_text(NEXT_STEP)
    handover = panel.locator("dl.missing-alert-handover")
    await expect(handover.locator('dt:text-is("Where last seen") + dd')).to_have_text(
        "bus stop, ref LS-4"
    )
    await expect(handover.locator('dt:text-is("Circumstances") + dd')).to_have_text(
        "did not come back from school"
    )
    await expect(
        handover.locator('dt:text-is("Clothing (Philomena Protocol part 2)") + dd')
    ).to_have_text("PHILOMENA-2-18")
    record_return = panel.get_by_role(
        "link", name=f"Record the return for placement {placement_id}"
    )
    await expect(record_return).to_have_attribute(
        "href", f"/web/placements/{placement_id}#form-return"
    )

    # Refreshes that show the same child say nothing again.
    heard = await duty.evaluate("window.announcements")
    await after_refreshes(duty, 3)
    assert await duty.evaluate("window.announcements") == heard
    await expect(announced).to_have_text(
        f"Reported missing: placement {placement_id}. 1 child missing now."
    )

    # The police's reference, once recorded, is in the panel.
    episode_id = f"{placement_id}-M1"
    acknowledged = RecordPoliceAcknowledgement(
        actor=KEY_WORKER,
        episode_id=episode_id,
        police_acknowledged_at=datetime.now(UTC) - timedelta(minutes=2),
        police_reference=CAD,
    )
    await record_action(services.client, placement_id, acknowledged)
    await expect(facts.locator('dt:text-is("Police reference") + dd')).to_contain_text(
        f"{CAD}, acknowledged"
    )
    await save_screenshot(duty, screenshots, "today-missing")

    # The return, from the panel: the placement page opens at the return form.
    await record_return.click()
    await expect(duty.get_by_role("heading", level=1)).to_have_text(f"Placement {placement_id}")
    await expect(
        duty.locator("#form-return").get_by_label("Found or brought back by")
    ).to_be_visible()


async def test_the_placement_page_shows_the_alert_and_a_chronology_in_sentences(
    sign_in: SignIn, services: Services, pool: Pool, screenshots: Path
) -> None:
    unit_id = await given_new_unit_with_its_own_duty_manager(pool, "dm-21")
    placement_id = await started(services, unit_id)
    await report_missing(services, placement_id)

    duty = await sign_in("duty_manager", "dm-21")
    await expect(duty).to_have_title(re.compile(r"^\(1 missing\) Today\W"))
    await duty.goto(f"/web/placements/{placement_id}")
    panel = duty.locator("#placement-now .missing-alert")
    await expect(panel.get_by_role("heading", level=2)).to_have_text("Missing now")
    await reload_until(duty, panel.locator("dd", has_text="by key worker staff-17"))
    facts = panel.locator("dl.missing-alert-facts")
    await expect(facts.locator('dt:text-is("Police told") + dd')).to_contain_text("yes, ")
    await expect(facts.locator('dt:text-is("Next step") + dd')).to_have_text(NEXT_STEP)
    handover = panel.locator("dl.missing-alert-handover")
    await expect(handover).to_contain_text("bus stop, ref LS-4")
    await expect(handover).to_contain_text("PHILOMENA-2-18")
    await save_screenshot(duty, screenshots, "placement-missing")
    await panel.get_by_role("link", name="Record the return").click()
    await expect(
        duty.locator("#form-return").get_by_label("Found or brought back by")
    ).to_be_visible()

    # The chronology reads as sentences, with UK dates, never as raw fields.
    chronology = duty.locator("#chronology table")
    await expect(chronology).to_contain_text(
        re.compile(r"Child reported missing by key worker staff-17: last seen \w{3} \d{1,2} \w{3}")
    )
    await expect(chronology).to_contain_text(
        re.compile(r"Placement started in unit \S+: the child arrived \w{3} \d{1,2} \w{3} \d{4}")
    )
    sentences = await chronology.locator("p.chronology-sentence").all_inner_texts()
    for raw in ("Step index", "Notify role", "Last seen place reference", "_"):
        assert not [said for said in sentences if raw in said], sentences


async def test_ended_placements_are_listed_apart_from_open_ones(
    sign_in: SignIn, services: Services, pool: Pool
) -> None:
    unit_id = new_unit_id()
    await given_unit_with_staff(pool, unit_id)
    still_here = await started(services, unit_id)
    gone = await started(services, unit_id)
    ended = EndPlacement(actor=MANAGER, reason="moved", ended_at=datetime.now(UTC))
    await record_action(services.client, gone, ended)

    manager = await sign_in("registered_manager", "staff-01")
    await manager.goto("/web/placements")
    open_list = manager.locator("#open-placements-heading + table")
    ended_list = manager.locator("#ended-placements-heading ~ table")
    await reload_until(manager, ended_list.get_by_role("link", name=gone))
    await expect(open_list.get_by_role("link", name=still_here)).to_be_visible()
    await expect(open_list).not_to_contain_text(gone)
    await expect(ended_list).not_to_contain_text(still_here)
    await expect(ended_list.locator("tr", has_text=gone)).to_contain_text("Ended")
