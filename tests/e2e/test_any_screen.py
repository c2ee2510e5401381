"""Every page on a phone, a tablet and a desk (390, 768 and 1280 px wide), as a Duty Manager, a
key worker and a Registered Manager open them, a child missing: none scrolls sideways, every
radio and checkbox is big enough to tap, and axe-core finds no accessibility violation, with
the forms open and showing their errors too. The README's screenshots are taken here. And a
key worker reports a child missing with the keyboard alone, on a phone."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest_asyncio
from playwright.async_api import Browser, Locator, Page, ViewportSize, expect

from safeside.db import Pool
from starter.services.connection import Services
from starter.services.placements import record_action
from tests.e2e.conftest import SignIn
from tests.support import screens
from tests.support.placements import KEY_WORKER
from tests.support.starter import eventually, placement_in_a_unit_of_its_own, trail_length
from tests.support.web import reload_until, save_screenshot
from workflows.domain.commands import ReportMissing
from workflows.domain.common import MissingKind

PHONE = ViewportSize(width=screens.PHONE, height=844)


@pytest_asyncio.fixture(loop_scope="session")
async def missing_child(services: Services, pool: Pool, worker: None) -> tuple[str, str]:
    """A placement whose child went missing twenty minutes ago; its id and its unit's."""
    placement_id, unit_id = await placement_in_a_unit_of_its_own(services, pool)
    report = ReportMissing(
        actor=KEY_WORKER,
        kind=MissingKind.missing,
        last_seen_at=datetime.now(UTC) - timedelta(minutes=20),
        last_seen_place_reference="LS-REF-20391-BUS-STOP-OUTSIDE-THE-COLLEGE-GATES",
        circumstances="did not come back from college",
        clothing_reference="PHILOMENA-2-18",
    )
    result = await record_action(services.client, placement_id, report)

    async def stored() -> bool:
        return await trail_length(pool, placement_id) >= result.version

    await eventually(stored)
    return placement_id, unit_id


def in_the_readme(shot: Path, folder: Path, name: str) -> None:
    """The README shows this screenshot as ``{name}.png`` (``make screenshots`` renews them)."""
    shutil.copyfile(shot, folder / f"{name}.png")


async def open_every_form(page: Page) -> None:
    for form in await page.locator(".layout-side details").all():
        if await form.get_attribute("open") is None:
            await form.locator("summary").click()


async def submit_empty(form: Locator) -> None:
    """Send ``form`` with what a person must type left out: its errors show in place."""
    for field in await form.locator("input[type=text], textarea").all():
        await field.fill("")
    await form.get_by_role("button").last.click()
    await expect(form.get_by_role("alert").first).to_be_visible()


async def test_the_duty_manager_s_pages_on_every_screen(
    sign_in: SignIn, missing_child: tuple[str, str], screenshots: Path, readme_screenshots: Path
) -> None:
    placement_id, _ = missing_child
    duty = await sign_in("duty_manager", "staff-01")
    await expect(duty.locator("#today-live")).to_contain_text(placement_id)
    shots = await screens.on_every_screen(duty, "today", screenshots)
    in_the_readme(shots[screens.DESK], readme_screenshots, "today")
    await duty.set_viewport_size(PHONE)
    await save_screenshot(duty, readme_screenshots, "today-phone", full_page=False)

    await duty.goto("/web/placements")
    await screens.on_every_screen(duty, "placements", screenshots)

    await duty.goto(f"/web/placements/{placement_id}")
    await open_every_form(duty)
    await screens.on_every_screen(duty, "placement", screenshots)
    await duty.evaluate("window.scrollTo(0, 0)")  # the whole page is too long for the README
    await save_screenshot(duty, readme_screenshots, "placement", full_page=False)

    # A Duty Manager of another unit: the record is not theirs, but break-glass opens it.
    elsewhere = await sign_in("duty_manager", "dm-other")
    await elsewhere.goto(f"/web/placements/{placement_id}")
    await expect(elsewhere.get_by_role("heading", level=1)).to_have_text("Not open to you")
    await screens.on_every_screen(elsewhere, "break-glass", screenshots)
    # Only spaces: past the browser's own check of a required field, refused by the page.
    await elsewhere.get_by_label("Reason").fill("   ")
    await elsewhere.get_by_role("button", name="Open the record").click()
    await expect(elsewhere.locator("#reason-error")).to_be_visible()
    await screens.on_every_screen(elsewhere, "break-glass-errors", screenshots)


async def test_the_key_worker_s_pages_on_every_screen(
    sign_in: SignIn, missing_child: tuple[str, str], screenshots: Path, readme_screenshots: Path
) -> None:
    placement_id, unit_id = missing_child
    key_worker = await sign_in("key_worker", "staff-17")

    await key_worker.goto(f"/web/placements/{placement_id}")
    await open_every_form(key_worker)
    await submit_empty(key_worker.locator("#form-risk-assessment"))
    await screens.on_every_screen(key_worker, "placement-errors", screenshots)

    await key_worker.goto(f"/web/units/{unit_id}/handover")
    await reload_until(
        key_worker, key_worker.get_by_role("heading", name=f"Placement {placement_id}")
    )
    shots = await screens.on_every_screen(key_worker, "handover", screenshots)
    in_the_readme(shots[screens.DESK], readme_screenshots, "handover")
    await submit_empty(key_worker.locator("#form-acknowledge-handover"))
    await submit_empty(key_worker.locator("#form-unit-check"))
    await screens.on_every_screen(key_worker, "handover-errors", screenshots)


async def test_the_registered_manager_s_pages_on_every_screen(
    sign_in: SignIn,
    browser: Browser,
    web: str,
    screenshots: Path,
    readme_screenshots: Path,
) -> None:
    context = await browser.new_context(base_url=web, locale="en-GB")
    try:
        signing_in = await context.new_page()
        await signing_in.goto("/sign-in")
        await screens.on_every_screen(signing_in, "sign-in", screenshots)
    finally:
        await context.close()

    manager = await sign_in("registered_manager", "staff-01")
    await manager.get_by_role("link", name="Start a placement").click()
    await screens.on_every_screen(manager, "start-placement", screenshots)
    await manager.locator("main form button[type=submit]").click()  # nothing filled in
    await expect(manager.locator("#error-summary")).to_be_visible()
    shots = await screens.on_every_screen(manager, "start-placement-errors", screenshots)
    in_the_readme(shots[screens.DESK], readme_screenshots, "start-placement")


async def press_tab_until(page: Page, target: Locator, *, most: int = 80) -> None:
    """Press Tab until ``target`` has the keyboard's focus, as a person tabbing through."""
    for _ in range(most):
        if await target.evaluate("element => element === document.activeElement"):
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"{most} presses of Tab did not reach {target}")


async def test_a_key_worker_reports_a_child_missing_with_the_keyboard_alone(
    sign_in: SignIn, services: Services, pool: Pool
) -> None:
    placement_id, _ = await placement_in_a_unit_of_its_own(services, pool)
    key_worker = await sign_in("key_worker", "staff-17", viewport=PHONE)
    await key_worker.goto(f"/web/placements/{placement_id}")
    keyboard = key_worker.keyboard

    await press_tab_until(key_worker, key_worker.get_by_text("Report missing (R5)"))
    await keyboard.press("Enter")
    form = key_worker.locator("#form-report-missing")
    kind = form.get_by_label("Missing, or away without permission?")
    await press_tab_until(key_worker, kind)
    await keyboard.type("missing")  # a closed list chooses what its options begin with
    await expect(kind).to_have_value("missing")
    await press_tab_until(key_worker, form.get_by_label("Where the child was last seen"))
    await keyboard.type("bus stop, ref LS-4")
    await keyboard.press("Tab")
    await keyboard.type("did not come back from school")
    await expect(form.get_by_label("Circumstances")).to_have_value("did not come back from school")
    await keyboard.press("Shift+Tab")  # back a field, to check what was typed there
    await expect(form.get_by_label("Where the child was last seen")).to_be_focused()
    await press_tab_until(key_worker, form.get_by_label("What the child was wearing"))
    await keyboard.type("PHILOMENA-2-18")
    await press_tab_until(key_worker, form.get_by_role("button", name="Report missing"))
    await keyboard.press("Space")

    await expect(key_worker.get_by_role("status").filter(has_text="missing")).to_be_visible()
    await expect(key_worker.locator("#placement-now")).to_contain_text("bus stop, ref LS-4")
