"""A placement's first hours as staff live them in the browser: the Registered Manager starts
it (after a field error), the leaflet's escalation reaches the Duty Manager's Today page by
itself, the key worker records the leaflet (refused, then recorded), reports the child missing
and returned, and the incoming shift acknowledges the unit's handover."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Page, expect

from safeside.db import Pool
from tests.e2e.conftest import SignIn
from tests.support.organisation import given_new_unit_with_its_own_duty_manager
from tests.support.placements import new_placement_id
from tests.support.web import fill_in_the_start_s_facts, reload_until, save_screenshot


async def start_placement_with_a_wrong_field_first(
    manager: Page, pool: Pool, placement_id: str, unit_id: str, screenshots: Path
) -> None:
    await manager.get_by_role("link", name="Start a placement").click()
    form = manager.locator("form.narrow")
    await form.get_by_label("Placement id").fill("PL 2031 (Amina)")
    await fill_in_the_start_s_facts(form)
    await form.get_by_role("button", name="Continue").click()

    summary = manager.locator("#error-summary")
    await expect(summary).to_contain_text("There is a problem")
    await expect(summary.get_by_role("link")).to_have_count(3)
    await expect(manager.locator("#start-placement-placement_id-error")).to_have_text(
        "Error: Use 3 to 64 letters, digits, hyphens or underscores, starting with a letter "
        "or digit (an id, never a name)"
    )
    await expect(manager.locator("#start-placement-unit_id-error")).to_have_text(
        "Error: Choose one"
    )
    await expect(manager.locator("#start-placement-ukvi_relevant-error")).to_have_text(
        "Error: Choose one"
    )
    # What was typed stays in the form, and nothing was started.
    await expect(form.get_by_label("Case reference")).to_have_value("CASE-88412")
    assert await pool.fetchval("SELECT count(*) FROM events") == 0
    await save_screenshot(manager, screenshots, "start-placement")

    await form.get_by_label("Placement id").fill(placement_id)
    await form.get_by_label("Unit").select_option(unit_id)
    await manager.locator("#start-placement-ukvi_relevant-yes").check()
    await form.get_by_role("button", name="Continue").click()
    await expect(manager.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before starting the placement"
    )
    await manager.get_by_role("button", name="Start the placement").click()
    await expect(manager.get_by_role("heading", level=1)).to_have_text(f"Placement {placement_id}")
    await expect(manager.get_by_role("status").first).to_contain_text("The placement has started")
    assert placement_id in manager.url
    assert "Amina" not in manager.url


async def record_the_leaflet_refused_then_recorded(key_worker: Page, placement_id: str) -> None:
    await key_worker.goto(f"/web/placements/{placement_id}")
    deadlines = key_worker.locator("#deadlines-heading + table")
    await expect(deadlines).to_contain_text("Leaflet")
    await key_worker.get_by_text("Record the leaflet (R1)").click()
    form = key_worker.locator("#form-leaflet-delivered")
    await expect(form.get_by_label("Language of the leaflet")).to_have_value("Tigrinya")
    await form.get_by_label("What the child understood").fill("understood; asked about phones")
    await form.get_by_role("button", name="Record the leaflet").click()
    # The domain's reason, at its field and in the form's summary: the page did not change
    # and nothing was written.
    await expect(form.locator("#leaflet-delivered-interpreter_reference-error")).to_have_text(
        "Error: The leaflet must be explained with an interpreter: give the interpreter's reference"
    )
    await expect(form.get_by_role("alert")).to_contain_text("There is a problem")
    assert key_worker.url.endswith(f"/web/placements/{placement_id}")

    await form.get_by_label("Interpreter's reference").fill("INT-55")
    await form.get_by_role("button", name="Record the leaflet").click()
    await expect(key_worker.locator("#done-leaflet-delivered")).to_contain_text(
        "Recorded: the leaflet at "
    )
    # The page's live part fetched itself again: the leaflet's deadline is closed.
    await expect(deadlines).not_to_contain_text("Leaflet")
    await expect(key_worker.locator("dl.summary")).to_contain_text("given")


async def report_missing_then_returned(
    key_worker: Page, duty: Page, placement_id: str, screenshots: Path
) -> None:
    await key_worker.get_by_text("Report missing (R5)").click()
    form = key_worker.locator("#form-report-missing")
    await form.get_by_label("Missing, or away without permission?").select_option("missing")
    await form.get_by_label("Where the child was last seen").fill("bus stop, ref LS-4")
    await form.get_by_label("Circumstances").fill("did not come back from school")
    await form.get_by_label("What the child was wearing").fill("PHILOMENA-2-18")
    await form.get_by_role("button", name="Report missing").click()
    await expect(key_worker.locator("#done-report-missing")).to_contain_text(
        "Recorded: the child reported missing, last seen at "
    )
    live = key_worker.locator("#placement-now")
    await expect(live.locator(".missing-alert")).to_contain_text("Missing now")

    # The Duty Manager's Today page shows the child missing, by itself.
    missing_now = duty.locator("#missing-alerts")
    await expect(missing_now).to_contain_text(placement_id)
    await save_screenshot(duty, screenshots, "today")

    await key_worker.get_by_text("Report returned (R5)").click()
    back = key_worker.locator("#form-return")
    await back.get_by_role("button", name="Report returned").click()
    await expect(back.get_by_role("alert")).to_contain_text(
        "Found or brought back by: Fill this in"
    )
    await back.get_by_label("Found or brought back by").fill("police PC-4471")
    await back.get_by_label("Where the child was found").fill("ref WF-2")
    await back.get_by_role("button", name="Report returned").click()
    await expect(key_worker.locator("#done-return")).to_contain_text(
        "Recorded: the child's return at "
    )
    await expect(live.locator(".missing-alert")).to_have_count(0)
    await expect(key_worker.locator("#missing-heading + table")).not_to_contain_text("not back")
    await expect(duty.locator("#missing-heading ~ p").first).to_have_text("No child is missing.")


async def test_a_placement_from_arrival_to_the_handover(
    sign_in: SignIn, pool: Pool, screenshots: Path, web: str
) -> None:
    placement_id = new_placement_id()
    # The unit's own staff (need to know): staff-01 manages it, staff-17 works in it, and
    # dm-3 is its Duty Manager tonight.
    unit_id = await given_new_unit_with_its_own_duty_manager(pool, "dm-3")
    manager = await sign_in("registered_manager", "staff-01")
    await start_placement_with_a_wrong_field_first(
        manager, pool, placement_id, unit_id, screenshots
    )

    # The leaflet falls due within seconds: its escalation reaches Today without a reload.
    duty = await sign_in("duty_manager", "dm-3")
    escalations = duty.locator("#escalations-heading + table")
    await expect(escalations.locator("tr", has_text="Duty manager")).to_contain_text(placement_id)
    await expect(escalations).to_contain_text("Leaflet")
    await expect(duty.locator("#overdue-heading + table")).to_contain_text(placement_id)

    key_worker = await sign_in("key_worker", "staff-17")
    await record_the_leaflet_refused_then_recorded(key_worker, placement_id)
    await report_missing_then_returned(key_worker, duty, placement_id, screenshots)
    await expect(key_worker.locator("#chronology td", has_text="Child returned")).to_be_visible()
    await save_screenshot(key_worker, screenshots, "placement")
    await key_worker.goto(f"/web/placements/{placement_id}")
    await key_worker.get_by_text("Record a check or observation (R15)").click()
    await key_worker.evaluate("window.scrollTo(0, 0)")
    await save_screenshot(key_worker, screenshots, "placement-top", full_page=False)

    # The incoming shift reads the unit's handover and acknowledges it.
    await key_worker.goto(f"/web/units/{unit_id}/handover")
    await reload_until(
        key_worker, key_worker.get_by_role("heading", name=f"Placement {placement_id}")
    )
    acknowledged = key_worker.locator("#handover-live .updated")
    await expect(acknowledged).to_contain_text("Handovers acknowledged: 0")
    form = key_worker.locator("#form-acknowledge-handover")
    await form.get_by_label("Handed over by").select_option("staff-01")
    await form.get_by_role("button", name="I have read the handover").click()
    await expect(key_worker.locator("#done-acknowledge-handover")).to_contain_text(
        "Recorded: your acknowledgement of the handover at "
    )
    await expect(key_worker.locator("#acknowledge-handover")).to_contain_text(
        "Acknowledged by staff-17 at"
    )
    await expect(acknowledged).to_contain_text("Handovers acknowledged: 1")

    # The whereabouts check (R4): every child must be answered for.
    check = key_worker.locator("#form-unit-check")
    await check.get_by_role("button", name="Record the check").click()
    await expect(check.locator(f"#whereabouts-{placement_id}-error")).to_have_text(
        "Error: Choose one"
    )
    await check.locator(f"#whereabouts-{placement_id}-seen").check()
    await check.get_by_role("button", name="Record the check").click()
    await expect(check.get_by_role("status")).to_contain_text("Recorded: the whereabouts check at")
    resident = key_worker.locator("#handover-live article", has_text=placement_id)
    await expect(resident.locator('dt:text-is("At the last check") + dd')).to_have_text("Seen")
    await save_screenshot(key_worker, screenshots, "handover")
