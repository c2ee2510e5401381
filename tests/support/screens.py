"""A page on a phone, a tablet and a desk: it fits the window (nothing scrolls sideways), each
table cell names its column (for a phone's stacked rows), its radios and checkboxes are big
enough to tap, and axe-core finds no accessibility violation (read at a phone's width and a
desk's: the two layouts). Each size leaves a screenshot, named for the page and the width."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, expect

from tests.support.web import save_screenshot

# A phone (an iPhone 12 to 15 held upright), a tablet (an iPad upright) and a desk.
PHONE, TABLET, DESK = WIDTHS = (390, 768, 1280)
HEIGHT = 900
# The smallest tap target the page allows for a radio or a checkbox with its label, in CSS
# pixels (WCAG 2.5.5; GOV.UK's radios are 44 px with their label).
TAP_TARGET = 44

AXE = Axe()

# The page's elements whose right edge is past the window's, the widest first: what to fix.
WIDEST_ELEMENTS = """() => {
  const limit = window.innerWidth;
  const describe = (element) => {
    let name = element.tagName.toLowerCase();
    if (element.id) name += "#" + element.id;
    if (element.classList.length) name += "." + [...element.classList].join(".");
    const text = (element.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 60);
    return `${name} "${text}"`;
  };
  return [...document.body.querySelectorAll("*")]
    .map((element) => [element, element.getBoundingClientRect().right])
    .filter(([, right]) => right > limit + 0.5)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([element, right]) => `${describe(element)} reaches ${Math.round(right)} px`);
}"""

# Each visible radio and checkbox with its labels: the box a finger can hit to choose it.
SMALL_TAP_TARGETS = """(smallest) => {
  const small = [];
  for (const input of document.querySelectorAll("input[type=radio], input[type=checkbox]")) {
    const boxes = [input, ...input.labels].map((element) => element.getBoundingClientRect())
      .filter((box) => box.width > 0 && box.height > 0);
    if (!boxes.length) continue;
    const top = Math.min(...boxes.map((box) => box.top));
    const bottom = Math.max(...boxes.map((box) => box.bottom));
    const left = Math.min(...boxes.map((box) => box.left));
    const right = Math.max(...boxes.map((box) => box.right));
    if (bottom - top < smallest || right - left < smallest) {
      small.push(`#${input.id} is ${Math.round(right - left)} x ${Math.round(bottom - top)} px`);
    }
  }
  return small;
}"""

# On a phone a table's rows are stacked: each cell shows its column's name from data-label.
# The tables (by caption) with cells that do not, one entry a cell.
UNLABELLED_CELLS = """() => [...document.querySelectorAll("td:not([data-label])")].map((cell) => {
  const table = cell.closest("table");
  return table.caption ? table.caption.textContent.trim() : table.id || "a table";
})"""

# htmx fetches parts of some pages again by itself (Today every second in the tests): while
# the page is measured and read, no new request starts and none is still being swapped in.
HOLD_STILL = """() => {
  if (window.heldStill === undefined) {
    document.body.addEventListener("htmx:beforeRequest", (event) => {
      if (window.heldStill) event.preventDefault();
    });
  }
  window.heldStill = true;
}"""
SWAPPING = ".htmx-request, .htmx-swapping, .htmx-settling"
LET_GO = "() => { window.heldStill = false; }"


async def on_every_screen(page: Page, name: str, screenshots: Path) -> dict[int, Path]:
    """Check ``page`` as it stands at each width (leaving it at a desk's): it fits, its
    choices are big enough to tap, and axe finds nothing. Its screenshots, by width."""
    shots: dict[int, Path] = {}
    await page.evaluate(HOLD_STILL)
    await expect(page.locator(SWAPPING)).to_have_count(0)
    try:
        for width in WIDTHS:
            await page.set_viewport_size({"width": width, "height": HEIGHT})
            await fits_the_window(page, f"{name} at {width} px")
            if width == PHONE:
                await every_cell_names_its_column(page, name)
            await choices_are_big_enough_to_tap(page, f"{name} at {width} px")
            if width != TABLET:
                await has_no_accessibility_violations(page, f"{name} at {width} px")
            shots[width] = await save_screenshot(page, screenshots, f"{name}-{width}")
    finally:
        await page.evaluate(LET_GO)
    return shots


async def fits_the_window(page: Page, what: str) -> None:
    wider = await page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    if wider:
        widest = "\n  ".join(await page.evaluate(WIDEST_ELEMENTS))
        raise AssertionError(f"{what}: the page scrolls sideways; past the window:\n  {widest}")


async def every_cell_names_its_column(page: Page, what: str) -> None:
    unlabelled = Counter(await page.evaluate(UNLABELLED_CELLS))
    assert not unlabelled, f"{what}: table cells without a data-label, by table: {dict(unlabelled)}"


async def choices_are_big_enough_to_tap(page: Page, what: str) -> None:
    small = await page.evaluate(SMALL_TAP_TARGETS, TAP_TARGET)
    assert not small, f"{what}: choices smaller than {TAP_TARGET} px to tap: {small}"


async def has_no_accessibility_violations(page: Page, what: str) -> None:
    results = await AXE.run(page)
    assert results.violations_count == 0, f"{what}: {results.generate_report()}"
