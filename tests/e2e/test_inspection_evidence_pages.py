"""The inspection evidence and the reg 45 review in the browser: the review's charts are drawn
(an SVG with its title and description for each) and each is followed by its table; the
register and the missing-from-care record print without the site's navigation; every page
fits each screen and axe finds nothing; the auditor reads one child's evidence without the
planted case reference, and no unit's."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from safeside.db import Pool
from tests.e2e.conftest import SignIn
from tests.integration.starter.evidence_quarter import (
    CASE_MARKER,
    FIRST,
    LAST,
    PLACE_MARKER,
    Unit,
    a_quarter,
)
from tests.support.organisation import given_staff, given_unit, given_unit_with_staff
from tests.support.screens import on_every_screen
from workflows.domain.common import Role

pytestmark = pytest.mark.usefixtures("web")
PERIOD = f"?from={FIRST.isoformat()}&to={LAST.isoformat()}"


async def _a_unit_s_quarter(pool: Pool) -> tuple[str, Unit]:
    """A unit of this test's own (staff-01 its managers) with a quarter of evidence."""
    unit_id, other = f"UNIT-E{uuid.uuid4().hex[:6]}", f"UNIT-F{uuid.uuid4().hex[:6]}"
    await given_unit_with_staff(pool, unit_id)
    await given_unit(pool, other)
    return unit_id, await a_quarter(pool, unit_id, other)


async def test_the_review_draws_each_chart_with_its_text_alternative_and_its_numbers(
    sign_in: SignIn, pool: Pool, screenshots: Path
) -> None:
    unit_id, _ = await _a_unit_s_quarter(pool)
    manager = await sign_in("registered_manager", "staff-01")
    await manager.goto(f"/web/units/{unit_id}/quality-review{PERIOD}")
    await expect(manager.get_by_role("heading", level=1)).to_contain_text("Regulation 45 review")
    charts = manager.locator("section.review-chart")
    await expect(charts).to_have_count(6)
    for index in range(6):
        chart = charts.nth(index)
        svg = chart.locator('svg.chart[role="img"]')
        await expect(svg).to_be_visible()
        title = await chart.locator("svg > title").text_content()
        assert title == await chart.get_by_role("heading", level=2).text_content()
        assert (await chart.locator("svg > desc").text_content() or "").strip()
        # The chart is named by its title (its description says the totals).
        await expect(chart.get_by_role("img")).to_have_accessible_name(title or "")
        await expect(chart.locator("svg rect, svg path").first).to_be_attached()
        await expect(chart.locator("table tbody tr").first).to_be_visible()
    months = manager.locator("#missing-by-month-heading ~ table tbody tr")
    await expect(months).to_have_count(3)
    await expect(months.first).to_contain_text("Jan 2026")
    assert CASE_MARKER not in await manager.content()
    await on_every_screen(manager, "quality-review", screenshots)


@pytest.mark.parametrize(
    ("slug", "heading"),
    [
        ("reg40-register", "Regulation 40 notifications register"),
        ("missing-record", "Missing-from-care record"),
    ],
)
async def test_a_unit_s_evidence_page_prints_without_the_site_s_navigation(
    sign_in: SignIn, pool: Pool, screenshots: Path, slug: str, heading: str
) -> None:
    unit_id, quarter = await _a_unit_s_quarter(pool)
    manager = await sign_in("duty_manager", "staff-01")
    await manager.goto(f"/web/units/{unit_id}/{slug}{PERIOD}")
    await expect(manager.get_by_role("heading", level=1)).to_contain_text(heading)
    table = manager.get_by_role("table")
    await expect(table).to_contain_text(quarter.marked)
    await expect(table).to_contain_text(CASE_MARKER)
    assert quarter.elsewhere not in await manager.content()
    assert PLACE_MARKER not in await manager.content()
    await on_every_screen(manager, slug, screenshots)

    await manager.emulate_media(media="print")
    await expect(manager.locator(".site-header")).to_be_hidden()
    await expect(manager.get_by_role("button", name="Show")).to_be_hidden()
    await expect(manager.get_by_role("link", name="Download as CSV")).to_be_hidden()
    await expect(table).to_be_visible()
    await expect(manager.locator("thead")).to_be_visible()
    printed = await manager.pdf(format="A4")
    assert printed.startswith(b"%PDF")

    await manager.emulate_media(media="screen")
    async with manager.expect_download() as downloading:
        await manager.get_by_role("link", name="Download as CSV").click()
    download = await downloading.value
    assert download.suggested_filename.startswith(f"{slug}_{unit_id}_20260101-20260331")


async def test_the_auditor_reads_one_child_s_evidence_without_the_case_and_no_unit_s(
    sign_in: SignIn, pool: Pool
) -> None:
    unit_id, quarter = await _a_unit_s_quarter(pool)
    await given_staff(pool, "aud-e1", [Role.auditor], [])
    auditor: Page = await sign_in("auditor", "aud-e1")
    await auditor.goto(f"/web/placements/{quarter.marked}/missing-record{PERIOD}")
    await expect(auditor.get_by_role("table")).to_contain_text("within 72 hours")
    page = await auditor.content()
    assert CASE_MARKER not in page
    assert PLACE_MARKER not in page
    assert unit_id not in page
    refused = await auditor.goto(f"/web/units/{unit_id}/missing-record{PERIOD}")
    assert refused is not None
    assert refused.status == 403
    assert CASE_MARKER not in await auditor.content()
    review = await auditor.goto(f"/web/units/{unit_id}/quality-review{PERIOD}")
    assert review is not None
    assert review.status == 403
