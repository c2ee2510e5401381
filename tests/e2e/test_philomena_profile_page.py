"""The Philomena Protocol profile in the browser: a key worker records part 1 from the placement's
page (the form keeps the profile to be kept up to date), the child is reported missing, and the
printable page shows parts 1 and 2 to the unit's staff, fits every screen with nothing for axe
to find, and prints without the site's navigation; the social worker sees its headings, each
field hidden."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import expect

from safeside.db import Pool
from starter.services.connection import Services
from starter.services.placements import record_action
from tests.e2e.conftest import SignIn
from tests.support.organisation import given_staff
from tests.support.placements import KEY_WORKER
from tests.support.screens import on_every_screen
from tests.support.starter import placement_in_a_unit_of_its_own
from tests.support.web import reload_until
from workflows.domain.commands import ReportMissing
from workflows.domain.common import MissingKind, Role

pytestmark = pytest.mark.usefixtures("web")

DESCRIPTION = "slight build, short black hair, scar on the left hand"
LAST_SEEN = "bus stop, ref LS-9"


async def test_the_unit_s_staff_record_it_and_print_it_for_the_police(
    sign_in: SignIn, services: Services, pool: Pool, screenshots: Path
) -> None:
    placement_id, _ = await placement_in_a_unit_of_its_own(services, pool)
    key_worker = await sign_in("key_worker", "staff-17")
    await key_worker.goto(f"/web/placements/{placement_id}")
    await expect(key_worker.locator("dl.summary")).to_contain_text("part 1 not yet completed")
    await key_worker.get_by_text("Philomena Protocol profile, part 1").click()
    form = key_worker.locator("#form-philomena-profile")
    await form.get_by_label("Description").fill(DESCRIPTION)
    await form.get_by_label("Photograph references").fill("PHOTO-7\nPHOTO-8")
    await form.get_by_label("Known places").fill("PLACE-22")
    await form.get_by_role("button", name="Record the profile").click()
    await expect(key_worker.locator("#done-philomena-profile")).to_have_text(
        "Recorded: the Philomena Protocol profile (part 1)."
    )
    await expect(key_worker.locator("dl.summary")).to_contain_text("part 1 recorded")
    # The fresh form holds the profile as recorded, to be kept up to date.
    await expect(form.get_by_label("Description")).to_have_value(DESCRIPTION)

    report = ReportMissing(
        actor=KEY_WORKER,
        kind=MissingKind.missing,
        last_seen_at=datetime.now(UTC) - timedelta(minutes=20),
        last_seen_place_reference=LAST_SEEN,
        circumstances="did not come back from school",
        clothing_reference="PHILOMENA-2-31",
    )
    await record_action(services.client, placement_id, report)

    await key_worker.get_by_role("link", name="the profile for the police").click()
    await expect(key_worker).to_have_title(re.compile(r"^Philomena Protocol profile"))
    part_2 = key_worker.locator("#part-2-heading + p + dl")
    await reload_until(key_worker, part_2.get_by_text(LAST_SEEN))
    part_1 = key_worker.locator("#part-1-heading ~ dl")
    await expect(part_1).to_contain_text(DESCRIPTION)
    await expect(part_1.get_by_role("listitem")).to_have_text(["PHOTO-7", "PHOTO-8", "PLACE-22"])
    await expect(part_2).to_contain_text("PHILOMENA-2-31")
    await on_every_screen(key_worker, "philomena", screenshots)

    await key_worker.emulate_media(media="print")
    await expect(key_worker.locator(".site-header")).to_be_hidden()
    await expect(
        key_worker.get_by_role("link", name=f"Back to placement {placement_id}")
    ).to_be_hidden()
    await expect(part_1).to_be_visible()
    await expect(part_2).to_be_visible()
    printed = await key_worker.pdf(format="A4")
    assert printed.startswith(b"%PDF")
    await key_worker.emulate_media(media="screen")

    await given_staff(pool, "sw-204", [Role.social_worker], [])
    social_worker = await sign_in("social_worker", "sw-204")
    await social_worker.goto(f"/web/placements/{placement_id}/philomena")
    await expect(social_worker.get_by_role("heading", level=1)).to_contain_text(placement_id)
    await expect(social_worker.locator("#part-1-heading ~ dl")).to_contain_text("hidden")
    assert DESCRIPTION not in await social_worker.content()
    assert "PHOTO-7" not in await social_worker.content()
