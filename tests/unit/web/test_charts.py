"""The review's charts: the same SVG for the same numbers, named by their title and described
by their totals, with nothing the pages' Content-Security-Policy would block (no style
attribute or element), and ids of their own."""

from __future__ import annotations

import re

from starter.services.quality_review import ChartData, Tally
from starter.web.charts import svg_text

CHART = ChartData(
    key="deadlines",
    title="Statutory deadlines: met on time against missed",
    row_heading="Kind",
    series=("met on time", "missed"),
    rows=(Tally(label="Leaflet", counts=(3, 1)), Tally(label="NRM referral", counts=(0, 2))),
)


def test_the_same_numbers_draw_the_same_svg() -> None:
    assert svg_text(CHART) == svg_text(CHART.model_copy())


def test_a_chart_is_an_image_named_by_its_title_and_described_by_its_totals() -> None:
    svg = svg_text(CHART)
    assert svg.startswith("<svg ")
    assert 'role="img" aria-labelledby="deadlines-title" aria-describedby="deadlines-desc"' in svg
    assert f'<title id="deadlines-title">{CHART.title}</title>' in svg
    assert "3 met on time, 3 missed in all, over 2 kinds" in svg
    assert ">Leaflet<" in svg  # text stays text


def test_a_chart_carries_no_inline_style_and_only_ids_of_its_own() -> None:
    svg = svg_text(CHART)
    assert "style=" not in svg
    assert "<style" not in svg
    assert all(found.startswith("deadlines-") for found in re.findall(r'\bid="([^"]*)"', svg))
    assert all(found.startswith("deadlines-") for found in re.findall(r"url\(#([^)]*)\)", svg))


def test_a_chart_with_no_rows_says_so() -> None:
    empty = CHART.model_copy(update={"rows": ()})
    assert "none in the period" in svg_text(empty)
    assert empty.summary.endswith("none in the period.")
