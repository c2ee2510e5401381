"""Charts drawn on the server: a horizontal bar chart of a table's numbers as inline SVG
(matplotlib, Agg, no display), for the regulation 45 review page.

Each SVG is a text alternative in itself (``role="img"``, named by its ``<title>``, described by
its ``<desc>``), and the page puts the same numbers in a table beside it. Drawing takes a few tens
of milliseconds of CPU, so it runs in a thread (``asyncio.to_thread``) off the event loop.

The output is the same for the same numbers (fixed size, fonts and colours, no date, a fixed
salt for matplotlib's ids), and fits the pages' Content-Security-Policy, which allows no inline
style: matplotlib's ``style="..."`` attributes become SVG presentation attributes
(``fill="..."``), which the policy does not govern, and its ``<style>`` element goes. Every id
in a chart starts with the chart's key, so two charts on one page never share one.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Sequence

import matplotlib
from markupsafe import Markup, escape
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from starter.services.quality_review import ChartData

# No display: figures are drawn to text only.
matplotlib.use("Agg")
# Deterministic SVG: the same ids for the same drawing, text kept as text (so a screen reader
# or a search finds it), no creation date.
matplotlib.rcParams["svg.hashsalt"] = "safeside"
matplotlib.rcParams["svg.fonttype"] = "none"

FONT_FAMILY, FONT_SIZE = "DejaVu Sans", 9
FONT = {"family": FONT_FAMILY, "size": FONT_SIZE}
# GOV.UK's blue, red and dark grey: told apart by lightness too, for colour-blind readers.
COLOURS = ("#1d70b8", "#d4351c", "#505a5f")
WIDTH_INCHES = 7.0


def draw(chart: ChartData) -> Figure:
    """The chart's figure: one horizontal bar per row and series, the first row on top."""
    rows = max(len(chart.rows), 1)
    series = len(chart.series)
    figure = Figure(figsize=(WIDTH_INCHES, 0.9 + 0.32 * rows * max(series, 1)), dpi=72)
    axes = figure.add_subplot()
    height = 0.8 / series
    for index, name in enumerate(chart.series):
        positions = [row + index * height for row in range(len(chart.rows))]
        values = [tally.counts[index] for tally in chart.rows]
        bars = axes.barh(positions, values, height=height, color=COLOURS[index % len(COLOURS)])
        bars.set_label(name)
        axes.bar_label(bars, fontsize=FONT_SIZE, fontfamily=FONT_FAMILY, padding=2)
    axes.set_yticks(
        [row + height * (series - 1) / 2 for row in range(len(chart.rows))],
        [tally.label for tally in chart.rows],
        fontsize=FONT_SIZE,
        fontfamily=FONT_FAMILY,
    )
    axes.invert_yaxis()
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.tick_params(axis="x", labelsize=FONT["size"])
    axes.set_xlabel("number", fontsize=FONT_SIZE, fontfamily=FONT_FAMILY)
    axes.spines[["top", "right"]].set_visible(False)
    if series > 1:
        axes.legend(prop=FONT, loc="lower right", frameon=False)
    if not chart.rows:
        axes.text(0.5, 0.5, "none in the period", transform=axes.transAxes, ha="center",
                  fontsize=FONT_SIZE, fontfamily=FONT_FAMILY)  # fmt: skip
    figure.tight_layout()
    return figure


def svg_text(chart: ChartData) -> str:
    """The chart as an SVG element for a page: accessible, self-contained, deterministic."""
    out = io.StringIO()
    draw(chart).savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return accessible(out.getvalue(), chart.key, chart.title, chart.summary)


_STYLE = re.compile(r'style="([^"]*)"')


def _as_attributes(match: re.Match[str]) -> str:
    declarations = (part.split(":", 1) for part in match.group(1).split(";") if ":" in part)
    return " ".join(f'{name.strip()}="{value.strip()}"' for name, value in declarations)


def accessible(svg: str, key: str, title: str, description: str) -> str:
    """matplotlib's SVG document as an inline ``<svg>`` element: no XML prologue, metadata
    or style element; ids prefixed with ``key``; named by its title, described by
    ``description``."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    svg = re.sub(r"\s*<style[^>]*>.*?</style>", "", svg, flags=re.DOTALL)
    svg = _STYLE.sub(_as_attributes, svg)
    svg = re.sub(r'\bid="', f'id="{key}-', svg)
    svg = svg.replace("url(#", f"url(#{key}-").replace('href="#', f'href="#{key}-')
    opening = re.compile(r'<svg [^>]*?(viewBox="[^"]*")[^>]*>')
    element = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        rf'\1 class="chart" role="img" aria-labelledby="{key}-title" aria-describedby="{key}-desc" '
        'stroke-linejoin="round" stroke-linecap="butt">'
        f'<title id="{key}-title">{escape(title)}</title>'
        f'<desc id="{key}-desc">{escape(description)}</desc>'
    )
    return opening.sub(element, svg, count=1)


async def chart_svgs(charts: Sequence[ChartData]) -> dict[str, Markup]:
    """Each chart's SVG by its key, drawn in a thread."""

    def draw_all() -> dict[str, Markup]:
        return {chart.key: Markup(svg_text(chart)) for chart in charts}

    return await asyncio.to_thread(draw_all)
