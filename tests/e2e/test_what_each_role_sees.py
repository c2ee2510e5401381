"""A page never shows what its viewer may not see: where the child lives or was last seen is
for the unit's staff and the social worker; the auditor reads the chronology without identity
either. Marker values stand in for a real address, unit, name and phone number."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Page, expect

from safeside.db import Pool
from starter.services.access_log import list_access_log
from starter.services.connection import Services
from starter.services.placements import record_action
from starter.services.recording import start_placement_workflow
from tests.e2e.conftest import SignIn
from tests.integration.security.scenario import (
    ADDRESS,
    CASE,
    LANGUAGE,
    NAME,
    PHONE,
    UNIT,
    start_facts,
)
from tests.support.organisation import given_allocation, given_staff, given_unit_with_staff
from tests.support.placements import KEY_WORKER, MANAGER, new_placement_id
from tests.support.starter import eventually, trail_length
from workflows.domain.commands import ReportMissing, StartPlacement
from workflows.domain.common import MissingKind, Role

pytestmark = pytest.mark.usefixtures("web")


async def placement_missing_from_a_marked_place(services: Services, pool: Pool) -> str:
    """A placement in the marker unit, reported missing from the marker address; its IRO is
    iro-9 (need to know: an IRO reads only the children allocated to them)."""
    placement_id = new_placement_id()
    # The marker unit, made this test's own: a unit's workflow outlives a test.
    unit_id = f"{UNIT}-{uuid.uuid4().hex[:6]}"
    await given_unit_with_staff(pool, unit_id)
    facts = start_facts(placement_id) | {"actor": MANAGER, "unit_id": unit_id}
    await start_placement_workflow(services, StartPlacement.model_validate(facts))
    await given_allocation(pool, placement_id, "independent_reviewing_officer", "iro-9")
    last_seen = datetime.now(UTC) - timedelta(minutes=20)
    report = ReportMissing(
        actor=KEY_WORKER,
        kind=MissingKind.missing,
        last_seen_at=last_seen,
        last_seen_place_reference=ADDRESS,
        circumstances=f"left with {NAME}, phone {PHONE}",
        clothing_reference="red coat",
    )
    result = await record_action(services.client, placement_id, report)

    async def stored() -> bool:
        return await trail_length(pool, placement_id) >= result.version

    await eventually(stored)
    return placement_id


async def shown(page: Page, path: str) -> str:
    """The page's whole HTML (attributes and hidden text too), once loaded."""
    await page.goto(path)
    await expect(page.get_by_role("heading", level=1)).to_be_visible()
    return await page.content()


async def test_the_location_reaches_only_the_roles_with_need_to_know(
    sign_in: SignIn, services: Services, pool: Pool
) -> None:
    placement_id = await placement_missing_from_a_marked_place(services, pool)
    path = f"/web/placements/{placement_id}"
    # They sign in with the roles the staff directory gives them.
    await given_staff(pool, "iro-9", [Role.independent_reviewing_officer], [])
    await given_staff(pool, "aud-3", [Role.auditor], [])
    await given_staff(pool, "sw-204", [Role.social_worker], [])

    iro = await sign_in("independent_reviewing_officer", "iro-9")
    page = await shown(iro, path)
    for hidden in (UNIT, ADDRESS, NAME, PHONE):
        assert hidden not in page
    assert CASE in page  # identifying details are the IRO's to read, the location is not
    await expect(iro.locator("#chronology")).to_contain_text("Missing reported")
    await expect(iro.locator('dl.summary dt:text-is("Unit") + dd')).to_have_text("hidden")
    assert iro.url.endswith(path)
    # The unit's handover is for its own staff.
    refused = await iro.goto("/web/units/UNIT-7/handover")
    assert refused is not None
    assert refused.status == 403
    await expect(iro.get_by_role("alert")).to_contain_text(
        "The role independent_reviewing_officer may not read the unit handover"
    )

    auditor = await sign_in("auditor", "aud-3")
    page = await shown(auditor, path)
    for hidden in (UNIT, ADDRESS, NAME, PHONE, CASE, LANGUAGE):
        assert hidden not in page
    await expect(auditor.locator("#chronology")).to_contain_text("Placement started")
    for listing in ("/", "/web/placements"):
        assert UNIT not in await shown(auditor, listing)

    # Those who need it see it: the proof that the markers were there to hide.
    social_worker = await sign_in("social_worker", "sw-204")
    page = await shown(social_worker, path)
    assert ADDRESS in page
    assert UNIT in page

    reads = await list_access_log(pool, placement_id=placement_id)
    by_iro = {entry.what for entry in reads.items if entry.subject == "iro-9"}
    # Today's panel of the missing child (where they land on signing in), then the page.
    assert by_iro == {
        "missing_alert",
        "placement_state",
        "placement_deadlines",
        "notifications",
        "audit_trail",
    }
    by_auditor = {entry.what for entry in reads.items if entry.subject == "aud-3"}
    assert by_auditor == {"missing_alert", "audit_trail"}
