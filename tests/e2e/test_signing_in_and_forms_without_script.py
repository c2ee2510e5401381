"""Signing in through the council's identity provider (the development one's login page),
the session cookie it leaves, signing out (which ends the session on the server, so a copied
cookie stops working); and the forms in a browser without script: a whole page answers,
after post/redirect/get."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, expect

from safeside.db import Pool
from safeside.embedded.identity_provider import EmbeddedIdentityProvider
from starter.services.connection import Services
from tests.e2e.conftest import SignIn
from tests.support.starter import placement_in_a_unit_of_its_own, trail_length
from tests.support.web import save_screenshot


async def test_a_duty_manager_signs_in_at_the_council_s_provider_and_out_again(
    browser: Browser,
    web: str,
    pool: Pool,
    identity_provider: EmbeddedIdentityProvider,
    screenshots: Path,
) -> None:
    await identity_provider.add_user(
        "staff-01-as-duty-manager", {"staff_ref": "staff-01", "role": "duty_manager"}
    )
    await identity_provider.add_user(
        "staff-17-as-duty-manager", {"staff_ref": "staff-17", "role": "duty_manager"}
    )
    context = await browser.new_context(base_url=web, viewport={"width": 1280, "height": 800})
    try:
        page = await context.new_page()
        await page.goto("/web/placements")  # not signed in: sent to sign in
        await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        await save_screenshot(page, screenshots, "sign-in")

        # A role the staff directory does not give the person: refused, nothing opened.
        await page.get_by_role("link", name="Sign in with your council account").click()
        await page.get_by_placeholder("sub").fill("staff-17-as-duty-manager")
        await page.get_by_role("button", name="Authorize", exact=True).click()
        await expect(page.get_by_role("alert")).to_contain_text(
            "gives you the role duty manager, which the staff directory does not give you"
        )
        assert not [c for c in await context.cookies() if c["name"] == "safeside_session"]
        assert await pool.fetchval("SELECT count(*) FROM web_sessions") == 0

        # The person the directory knows: back to the page they asked for.
        await page.goto("/web/placements")
        await page.get_by_role("link", name="Sign in with your council account").click()
        await expect(page).to_have_url(re.compile(r"/oauth2/authorize\?"))
        await page.get_by_placeholder("sub").fill("staff-01-as-duty-manager")
        await page.get_by_role("button", name="Authorize", exact=True).click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Placements")
        assert page.url.endswith("/web/placements")
        await expect(page.get_by_role("banner")).to_contain_text(
            "Signed in: staff-01, duty manager"
        )
        session = next(c for c in await context.cookies() if c["name"] == "safeside_session")
        assert session["httpOnly"]
        assert session["sameSite"] == "Lax"
        assert not session["secure"]  # served over http here; Secure over https

        await page.get_by_role("button", name="Sign out").click()
        await expect(page.get_by_role("status")).to_have_text("You have signed out.")
        await page.goto("/web/placements")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

        # A copy of the cookie taken before signing out is no use: the session ended on the
        # server.
        await context.add_cookies([session])
        await page.goto("/web/placements")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        await expect(page.get_by_role("status")).to_have_text(
            "Your session has ended. Sign in again to go on."
        )
    finally:
        await context.close()


async def test_without_script_a_form_answers_with_a_whole_page(
    sign_in: SignIn, services: Services, pool: Pool
) -> None:
    placement_id, _ = await placement_in_a_unit_of_its_own(services, pool)
    key_worker = await sign_in("key_worker", "staff-17", javascript=False)
    path = f"/web/placements/{placement_id}"
    await key_worker.goto(path)

    await key_worker.get_by_text("Record the leaflet (R1)").click()
    form = key_worker.locator("#form-leaflet-delivered")
    await form.get_by_label("What the child understood").fill("understood")
    await form.get_by_role("button", name="Record the leaflet").click()
    # The whole page again, with the domain's reason in the form, which stays open.
    await expect(
        key_worker.locator("#form-leaflet-delivered").get_by_role("alert")
    ).to_contain_text("The leaflet must be explained with an interpreter")
    await expect(key_worker.locator("#form-leaflet-delivered")).to_be_visible()

    form = key_worker.locator("#form-leaflet-delivered")
    await form.get_by_label("Interpreter's reference").fill("INT-55")
    await form.get_by_role("button", name="Record the leaflet").click()
    # Post, redirect, get: the page's own address, saying it is recorded.
    await expect(key_worker.get_by_role("status").first).to_contain_text(
        "Recorded: the leaflet at "
    )
    assert f"{path}?recorded=leaflet-delivered&at=" in key_worker.url
    await expect(key_worker.locator("dl.summary")).to_contain_text("Leaflet (R1)given")


async def test_a_form_without_the_session_s_csrf_token_records_nothing(
    sign_in: SignIn, services: Services, pool: Pool
) -> None:
    placement_id, _ = await placement_in_a_unit_of_its_own(services, pool)
    before = await trail_length(pool, placement_id)
    key_worker = await sign_in("key_worker", "staff-17")
    # The browser sends the session cookie (same site), but the form is not the session's.
    answer = await key_worker.context.request.post(
        f"/web/placements/{placement_id}/actions/observation",
        form={"csrf_token": "forged", "category": "mood", "note_reference_or_text": "LOG-1",
              "observed_at": "2026-11-27T21:00"},
    )  # fmt: skip
    assert answer.status == 403
    assert "This form did not come from your session" in await answer.text()
    assert await trail_length(pool, placement_id) == before
