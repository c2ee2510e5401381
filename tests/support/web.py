"""Helpers for the web page's end-to-end tests."""

from __future__ import annotations

import asyncio
from pathlib import Path

from playwright.async_api import Locator, Page


async def reload_until(page: Page, shown: Locator, within: float = 30.0) -> None:
    """Reload ``page`` until ``shown`` is on it: for what reaches PostgreSQL a moment after
    the workflow (the chronology, a unit's first report)."""
    deadline = asyncio.get_running_loop().time() + within
    while not await shown.count():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{shown} did not appear on {page.url}")
        await asyncio.sleep(0.3)
        await page.reload()


async def fill_in_the_start_s_facts(form: Locator) -> None:
    """Fill in the start form's case reference (CASE-88412), the child's first language, the
    placing authority, the social worker and a high risk level; the rest is each test's."""
    await form.get_by_label("Case reference").fill("CASE-88412")
    await form.get_by_label("The child's first language").fill("Tigrinya")
    await form.get_by_label("Placing authority").fill("Example Borough Council")
    await form.get_by_label("Social worker's reference").fill("sw-204")
    await form.get_by_label("Risk level on arrival").select_option("high")


async def save_screenshot(page: Page, folder: Path, name: str, *, full_page: bool = True) -> Path:
    """The page as a PNG in ``folder`` (the whole page, or what the window shows)."""
    path = folder / f"{name}.png"
    await page.screenshot(path=str(path), full_page=full_page)
    return path
