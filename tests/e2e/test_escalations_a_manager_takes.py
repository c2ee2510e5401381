"""Escalations a manager takes, on Today in the browser: two children's leaflets fall due
within seconds; the Duty Manager presses "I am dealing with this" on one escalation, which
moves below those nobody has taken, saying who is dealing with it and since when; the
reminders to the key worker are listed apart, with no button. The key worker has no button."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from playwright.async_api import Locator, Page, expect

from safeside.db import Pool
from starter.services.connection import Services
from starter.services.recording import start_placement_workflow
from tests.e2e.conftest import SignIn
from tests.support.organisation import given_new_unit_with_its_own_duty_manager
from tests.support.placements import new_placement_id, start_command
from tests.support.screens import on_every_screen

TAKE = "I am dealing with this"


async def arrives(services: Services, unit_id: str) -> str:
    """A child arrives now: the e2e policy's leaflet is due in 5 seconds, the key worker
    reminded half-way, the Duty Manager told at 5 and the Registered Manager at 10."""
    placement_id = new_placement_id()
    command = start_command(placement_id, datetime.now(UTC), unit_id=unit_id)
    await start_placement_workflow(services, command)
    return placement_id


def escalation_row(table: Locator, placement_id: str, step: str) -> Locator:
    return table.locator("tbody tr", has_text=placement_id).filter(
        has=table.page.locator('td[data-label="Step"]', has_text=step)
    )


async def test_a_duty_manager_takes_an_escalation_on_today(
    sign_in: SignIn, services: Services, pool: Pool, screenshots: Path
) -> None:
    unit_id = await given_new_unit_with_its_own_duty_manager(pool, "dm-20")
    first = await arrives(services, unit_id)
    duty: Page = await sign_in("duty_manager", "dm-20")
    escalations = duty.locator("#escalations-heading + table")
    await expect(escalation_row(escalations, first, "Duty manager")).to_have_count(1)
    second = await arrives(services, unit_id)

    # Both children's escalations to the Duty Manager, the newest first, nobody on either.
    taking = escalation_row(escalations, second, "Duty manager")
    await expect(taking).to_have_count(1)
    await expect(taking.get_by_role("button", name=TAKE)).to_be_visible()
    earlier = escalation_row(escalations, first, "Duty manager")
    await expect(earlier.get_by_role("button", name=TAKE)).to_be_visible()
    rows = escalations.locator("tbody tr")
    assert await rows.last.text_content() != await taking.text_content()

    # The reminders to the key worker are apart, and nobody takes a reminder.
    reminders = duty.locator("#reminders-heading + table")
    for placement_id in (first, second):
        reminder = reminders.locator("tbody tr", has_text=placement_id)
        await expect(reminder).to_contain_text("Key worker")
        await expect(reminder.get_by_role("button")).to_have_count(0)
    await expect(escalations).not_to_contain_text("Key worker")

    await taking.get_by_role("button", name=TAKE).click()

    # It moves below every escalation nobody has taken, saying who has it and since when.
    await expect(rows.last).to_contain_text(second)
    await expect(rows.last.locator('td[data-label="Who is dealing with it"]')).to_contain_text(
        "Dealt with by duty manager dm-20 at"
    )
    await expect(rows.last.get_by_role("button")).to_have_count(0)
    above = rows.filter(has_not=duty.get_by_text("Dealt with by"))
    assert await above.count() == await rows.count() - 1
    for index in range(await above.count()):
        await expect(above.nth(index).get_by_role("button", name=TAKE)).to_be_visible()
    await expect(duty.locator("#escalations-heading .count")).not_to_have_text("0")
    acknowledged_at = await pool.fetchval(
        """SELECT acknowledged_at FROM escalations
            WHERE stream_id = $1 AND deadline_id = 'leaflet' AND step_index = 1""",
        second,
    )
    assert acknowledged_at is not None
    # On a phone, a tablet and a desk: it fits, and axe finds nothing.
    await on_every_screen(duty, "today-escalations", screenshots)

    # Another manager of the unit sees who has it, and the key worker no button at all.
    manager = await sign_in("registered_manager", "staff-01")
    taken = escalation_row(manager.locator("#escalations-heading + table"), second, "Duty manager")
    await expect(taken).to_contain_text("Dealt with by duty manager dm-20 at")
    key_worker = await sign_in("key_worker", "staff-17")
    theirs = key_worker.locator("#escalations-heading + table")
    await expect(escalation_row(theirs, first, "Duty manager")).to_contain_text("nobody yet")
    await expect(theirs.get_by_role("button", name=TAKE)).to_have_count(0)


async def test_without_script_the_button_takes_the_escalation_and_today_shows_who(
    sign_in: SignIn, services: Services, pool: Pool
) -> None:
    unit_id = await given_new_unit_with_its_own_duty_manager(pool, "dm-21")
    placement_id = await arrives(services, unit_id)
    duty = await sign_in("duty_manager", "dm-21", javascript=False)
    escalations = duty.locator("#escalations-heading + table")
    row = escalation_row(escalations, placement_id, "Duty manager")
    while not await row.count():  # no script: the page is reloaded by hand
        await duty.wait_for_timeout(500)
        await duty.reload()

    form = row.locator("form")
    action = await form.get_attribute("action")
    fields = {
        str(await field.get_attribute("name")): str(await field.get_attribute("value"))
        for field in await form.locator("input[type=hidden]").all()
    }
    await row.get_by_role("button", name=TAKE).click()
    await expect(row).to_contain_text("Dealt with by duty manager dm-21 at")
    assert duty.url.endswith("/#escalations-heading")

    # The same form sent again (a second tab, an old page) is refused, saying who has it.
    assert action is not None
    again = await duty.request.post(action, form=fields, max_redirects=0)
    assert again.status == 409
    assert "This escalation is already being dealt with by the duty manager dm-21" in (
        await again.text()
    )
