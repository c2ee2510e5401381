"""Every benchmark, one after another, each figure printed as it comes; then the report, each
target beside its figure and whether it is met; its last line gives the intake and escalation
ratios to the baseline and the escalation lateness p99.

    python -m bench --quick                          # make bench-quick: a few minutes
    python -m bench --write docs/benchmarks.md       # make bench: full sizes, 3 runs

Speeds are medians of the runs with their spread, and each is a ratio to the baseline measured
in the same run on the same server. Speed is measured here, never asserted in tests. The report
includes ``bench/LEVERS.md`` (what was done for speed, and why) when there is one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from bench import (
    growing_placements,
    many_placements,
    open_placements,
    placement_list,
    placement_year,
    throughput,
    unit_year,
)
from bench.stack import bench_stack
from safeside.contracts.workflows import DEFAULT_HISTORY_BYTES_PER_RUN
from safeside.log import configure_logging
from safeside.process_exit import leave

T = TypeVar("T")

LEVERS = Path(__file__).parent / "LEVERS.md"
# The targets of issue 23, each beside its figure in the report.
INTAKE_RATIO = 0.8  # at least, of the baseline
ESCALATION_RATIO = 1.0  # at least, of the baseline
LATENESS_P99_S = 5.0  # at most, with 1,000 due at once
HISTORY_PER_EVENT = 5.0  # at most
HISTORY_WARNING = 10_240  # the server warns at this length: every run stays below it
KIB_PER_PLACEMENT = 150.0  # at most, a placement open and cached
QUERY_P99_MS = 50.0  # at most, with 1,000 open


@dataclass(frozen=True)
class Sizes:
    runs: int
    baseline: int
    intake: int
    escalation: int
    open_placements: int
    unit_days: int
    many_placements: int  # measured once, not in every run
    growing_placements: int  # measured once

    @classmethod
    def for_mode(cls, quick: bool, runs: int | None) -> Sizes:
        if quick:
            return cls(runs or 1, 150, 150, 200, 300, 30, 2_000, 50)
        return cls(runs or 3, 300, 300, 1000, 1000, 365, 10_000, 200)


@dataclass
class Results:
    baseline: list[float] = field(default_factory=list)
    intake: list[float] = field(default_factory=list)
    escalations: list[throughput.Escalation] = field(default_factory=list)
    open: list[open_placements.OpenFigures] = field(default_factory=list)
    years: list[placement_year.YearFigures] = field(default_factory=list)
    unit: unit_year.UnitYearFigures | None = None
    many: many_placements.ManyFigures | None = None
    growing: growing_placements.GrowingFigures | None = None
    lists: dict[str, float] = field(default_factory=dict)

    def ratio(self, values: list[float]) -> float:
        return statistics.median(values) / statistics.median(self.baseline)

    @property
    def intake_ratio(self) -> float:
        return self.ratio(self.intake)

    @property
    def escalation_ratio(self) -> float:
        return self.ratio(of(self.escalations, lambda e: e.rate))

    @property
    def lateness_p99(self) -> float:
        return statistics.median(of(self.escalations, lambda e: e.lateness_p99))

    def summary(self) -> str:
        """The one line ``make bench-quick`` ends with, and the report too."""
        return (
            f"intake ratio {self.intake_ratio:.2f}, escalation ratio "
            f"{self.escalation_ratio:.2f}, lateness p99 {self.lateness_p99:.1f} s"
        )


def say(lines: Sequence[str]) -> None:
    print("\n".join(lines), flush=True)


async def run(sizes: Sizes) -> Results:
    results = Results()
    for number in range(1, sizes.runs + 1):
        say([f"run {number}/{sizes.runs}"])
        async with bench_stack() as stack:
            await throughput.warm_up(stack.client, stack.pool, stack.task_queue)
            rate = await throughput.measure_baseline(stack.client, sizes.baseline)
            results.baseline.append(rate)
            say([f"  baseline (one no-op activity): {rate:.1f} workflows/s"])
            rate = await throughput.measure_intake(
                stack.client, stack.pool, stack.task_queue, sizes.intake
            )
            results.intake.append(rate)
            say([f"  placement intake: {rate:.1f} placements/s"])
            escalation = await throughput.measure_escalation(
                stack.client, stack.pool, stack.task_queue, sizes.escalation
            )
            results.escalations.append(escalation)
            say(
                [
                    f"  escalations: {escalation.rate:.1f}/s, lateness p50 "
                    f"{escalation.lateness_p50:.2f} s, p99 {escalation.lateness_p99:.2f} s"
                ]
            )
        # A new process, so the memory with nothing open is the worker's own.
        opened = await open_placements.measure_in_new_process(sizes.open_placements)
        results.open.append(opened)
        say(["  " + line for line in open_placements.describe(opened)])
        year = await placement_year.measure()
        results.years.append(year)
        say(["  " + line for line in placement_year.describe(year)])
    # Once, in a new process: it takes minutes, and its memory must be the worker's own.
    results.many = await many_placements.measure_in_new_process(sizes.many_placements)
    say(many_placements.describe(results.many))
    results.growing = await growing_placements.measure_in_new_process(sizes.growing_placements)
    say(growing_placements.describe(results.growing))
    results.unit = await unit_year.measure(sizes.unit_days)
    say(unit_year.describe(results.unit))
    results.lists = await placement_list.measure()
    say(placement_list.describe(results.lists))
    return results


def spread(values: Sequence[float], digits: int = 2) -> str:
    return (
        f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f} to "
        f"{max(values):.{digits}f}, n={len(values)})"
    )


def of(items: Sequence[T], figure: Callable[[T], float]) -> list[float]:
    return [figure(item) for item in items]


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{platform.platform()}, {os.cpu_count()} cores ({model}), Python "
        f"{platform.python_version()}"
    )


@dataclass
class Targets:
    """Each target set beside its figure: met or not, from the figure itself."""

    verdicts: list[bool] = field(default_factory=list)

    def __call__(self, target: str, met: bool) -> str:
        self.verdicts.append(met)
        return f"{target} | {'met' if met else 'not met'}"

    def count(self) -> str:
        return f"{sum(self.verdicts)} of {len(self.verdicts)} targets met"


NONE = "— | —"


def throughput_section(results: Results, sizes: Sizes, target: Targets) -> list[str]:
    esc = results.escalations
    late = f"≤ {LATENESS_P99_S:g} s, 1,000 due at once"
    return [
        "## Throughput, against the server's own limit",
        "",
        "| figure | median (range, runs) | ratio to baseline | target | met |",
        "|---|---|---|---|---|",
        f"| baseline: workflows/s, one no-op activity ({sizes.baseline}) | "
        f"{spread(results.baseline)} | 1 | {NONE} |",
        f"| placement intake: placements/s through their arrival work ({sizes.intake}) | "
        f"{spread(results.intake)} | {results.intake_ratio:.2f} | "
        f"{target(f'≥ {INTAKE_RATIO}', results.intake_ratio >= INTAKE_RATIO)} |",
        f"| escalations/s, {sizes.escalation} placements due at the same instant | "
        f"{spread(of(esc, lambda e: e.rate))} | {results.escalation_ratio:.2f} | "
        f"{target(f'≥ {ESCALATION_RATIO}', results.escalation_ratio >= ESCALATION_RATIO)} |",
        f"| escalation lateness p50, s (due → notification delivered) | "
        f"{spread(of(esc, lambda e: e.lateness_p50))} | — | {NONE} |",
        f"| escalation lateness p99, s | {spread(of(esc, lambda e: e.lateness_p99))} | — | "
        f"{target(late, results.lateness_p99 <= LATENESS_P99_S)} |",
        "",
        "A job that scans for overdue cases every N minutes is late by up to N minutes (a "
        "nightly one by up to a day). Here each placement's own timer fires at the due time, and "
        "the lateness above is the whole way to a delivered notification, under a burst of "
        f"{sizes.escalation} at once.",
    ]


def open_section(results: Results, sizes: Sizes, target: Targets) -> list[str]:
    opened = results.open
    kib = statistics.median(of(opened, lambda o: o.kib_per_placement))
    handover = statistics.median(of(opened, lambda o: o.handover_p99_ms))
    state = statistics.median(of(opened, lambda o: o.state_p99_ms))
    query = f"≤ {QUERY_P99_MS:g} ms, 1,000 open"
    return [
        f"## {sizes.open_placements} open placements on one worker",
        "",
        "| figure | median (range, runs) | target | met |",
        "|---|---|---|---|",
        f"| worker process RSS, no placement open, MiB | "
        f"{spread(of(opened, lambda o: o.rss_empty_mib), 0)} | {NONE} |",
        f"| worker process RSS, {sizes.open_placements} open and cached, MiB | "
        f"{spread(of(opened, lambda o: o.rss_open_mib), 0)} | {NONE} |",
        f"| per placement, KiB | {spread(of(opened, lambda o: o.kib_per_placement), 0)} | "
        f"{target(f'≤ {KIB_PER_PLACEMENT:g}', kib <= KIB_PER_PLACEMENT)} |",
        f"| handover query p50, ms | {spread(of(opened, lambda o: o.handover_p50_ms), 1)} | "
        f"{NONE} |",
        f"| handover query p99, ms | {spread(of(opened, lambda o: o.handover_p99_ms), 1)} | "
        f"{target(query, handover <= QUERY_P99_MS)} |",
        f"| state query p50, ms | {spread(of(opened, lambda o: o.state_p50_ms), 1)} | {NONE} |",
        f"| state query p99, ms | {spread(of(opened, lambda o: o.state_p99_ms), 1)} | "
        f"{target(query, state <= QUERY_P99_MS)} |",
        "",
        "RSS is that of a new process running the worker, its client and the bench; the "
        "per-placement cost includes each placement's share of its unit's workflow (8 "
        "children a unit). "
        f"Queries are timed one after another over {open_placements.SAMPLE} of the open "
        "placements, through the same functions the API calls.",
    ]


def many_section(many: many_placements.ManyFigures) -> list[str]:
    return [
        f"## {many.count:,} open placements on one worker, most not cached (one run)",
        "",
        "| figure | value | target |",
        "|---|---|---|",
        f"| started and through their arrival work, s | {many.start_seconds:.0f} | — |",
        f"| worker process RSS, no placement open, MiB | {many.rss_empty_mib:.0f} | — |",
        f"| worker process RSS, {many.count:,} open, MiB | {many.rss_open_mib:.0f} | — |",
        f"| per placement, KiB | {many.kib_per_placement:.0f} | — |",
        f"| handover query p50 / p99, ms, not cached | {many.handover_p50_ms:.1f} / "
        f"{many.handover_p99_ms:.1f} | — |",
        f"| state query p50 / p99, ms, not cached | {many.state_p50_ms:.1f} / "
        f"{many.state_p99_ms:.1f} | — |",
        f"| state query p50, ms, cached (for contrast) | {many.cached_state_p50_ms:.1f} | — |",
        "",
        f"The worker keeps the SDK's default workflow cache ({many.cache_slots:,} workflows, "
        f"the least recently used evicted first), and there are {many.count:,} placements and "
        "a unit workflow for every 8. The queries go to placements started earliest, each with "
        f"at least {many.cache_slots:,} started and through their arrival work after it, so "
        "they were evicted: the worker fetches and replays each one's history before it "
        f"answers. The handover and state queries each go to {many_placements.SAMPLE} of them, "
        "two separate samples (a query puts its placement back in the cache); the cached "
        f"contrast to the {many_placements.CACHED_SAMPLE} started last "
        "(`bench/many_placements.py`).",
    ]


def growing_section(growing: growing_placements.GrowingFigures) -> list[str]:
    return [
        f"## {growing.count} placements as they live, cached (one run)",
        "",
        "| figure | value | target |",
        "|---|---|---|",
        f"| worker process RSS, {growing.count} open after their arrival, MiB | "
        f"{growing.rss_arrived_mib:.0f} | — |",
        f"| worker process RSS, after {growing.actions} actions each, MiB | "
        f"{growing.rss_lived_mib:.0f} | — |",
        f"| memory an action added to a cached placement, KiB | {growing.kib_per_action:.1f} | — |",
        f"| runs each, median | {growing.runs_median:g} | — |",
        "",
        "The SDK core keeps what a cached run's history carries (activity inputs, updates, "
        "signals) for the life of the run: the memory a placement costs at arrival (above) grows "
        "with each action until its run continues as new, once its history has grown by "
        f"{DEFAULT_HISTORY_BYTES_PER_RUN // 1024} KiB "
        "(`bench/growing_placements.py`).",
    ]


def years_section(results: Results, target: Targets) -> list[str]:
    years, unit = results.years, results.unit
    assert unit is not None
    per_event = statistics.median(of(years, lambda y: y.history_per_event))
    largest = statistics.median(of(years, lambda y: y.largest_history))
    below = f"< {HISTORY_WARNING:,}"
    return [
        "## A placement-year and a unit-year (time-skipping server)",
        "",
        "| figure | median (range, runs) | target | met |",
        "|---|---|---|---|",
        f"| placement events a day | {spread(of(years, lambda y: y.events / y.days))} | {NONE} |",
        f"| placement runs in a year | {spread(of(years, lambda y: y.runs), 0)} | {NONE} |",
        f"| history events per domain event, every run of the year | "
        f"{spread(of(years, lambda y: y.history_per_event), 1)} | "
        f"{target(f'≤ {HISTORY_PER_EVENT:g}', per_event <= HISTORY_PER_EVENT)} |",
        f"| largest single-run history, events | "
        f"{spread(of(years, lambda y: y.largest_history), 0)} | "
        f"{target(below, largest < HISTORY_WARNING)} |",
        f"| replay of the year's histories, s | {spread(of(years, lambda y: y.replay_seconds))} "
        f"| {NONE} |",
        f"| audit trail of the year from PostgreSQL, rows | "
        f"{spread(of(years, lambda y: y.audit_rows), 0)} | {NONE} |",
        f"| audit trail of the year from PostgreSQL, ms (pages of 100) | "
        f"{spread(of(years, lambda y: 1000 * y.audit_seconds), 1)} | {NONE} |",
        f"| unit: hourly checks over {unit.days} days | {unit.checks} | {NONE} |",
        f"| unit: runs / largest single-run history, events | {unit.runs} / "
        f"{unit.largest_history} | {target(below, unit.largest_history < HISTORY_WARNING)} |",
        "",
        "The placement-year (`bench/placement_year.py`): each clock met on the day it falls "
        "due (every third social worker visit a few days late), a weekly record, a missing "
        "episode a month with its return interview. History events per domain event: the "
        "events of every run's Temporal history over the year, over the domain events the "
        "placement stored. The unit's hourly checks are the unit workflow's own history "
        "(`bench/unit_year.py`).",
    ]


def levers() -> list[str]:
    """``bench/LEVERS.md`` as it is written, if there is one."""
    if not LEVERS.exists():
        return []
    return ["", LEVERS.read_text(encoding="utf-8").strip()]


def report(results: Results, sizes: Sizes, command: str) -> str:
    assert results.many is not None
    assert results.growing is not None
    target = Targets()
    tables = [
        *throughput_section(results, sizes, target),
        "",
        *open_section(results, sizes, target),
        "",
        *many_section(results.many),
        "",
        *growing_section(results.growing),
        "",
        *years_section(results, target),
    ]
    lines = [
        "# Benchmarks",
        "",
        f"Machine: {machine()}. Command: `{command}`. Each figure is the median of the runs "
        "with its range and the number of runs; every speed is also a ratio to the baseline "
        "measured in the same run on the same server: the Temporal dev server with its SQLite "
        "file (WAL), an embedded PostgreSQL and the worker, all on this machine. Speeds are "
        f"steady rates: {throughput.WARM_UP} baseline workflows and {throughput.WARM_UP} "
        "placements go first, unmeasured, so the first-use costs of a new process (imports, "
        "connections) fall on neither side. Each target is beside its figure, met or not by "
        f"the median: {target.count()}.",
        "",
        *tables,
        "",
        "## Lists from PostgreSQL",
        "",
        *placement_list.describe(results.lists),
        *levers(),
        "",
        results.summary(),
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes")
    parser.add_argument("--runs", type=int, default=None, help="runs of each measure")
    parser.add_argument("--write", type=Path, default=None, help="write the report here")
    args = parser.parse_args()
    configure_logging("console", "WARNING")  # the figures, not a line per append
    sizes = Sizes.for_mode(args.quick, args.runs)
    command = "python -m bench" + (" --quick" if args.quick else "")
    command += f" --runs {sizes.runs}" if args.runs else ""
    results = asyncio.run(run(sizes))
    text = report(results, sizes, command)
    if args.write is not None:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(text + "\n", encoding="utf-8")
        print(f"report written to {args.write}")
    print()
    print(text)  # its last line: the intake and escalation ratios, the lateness p99
    return 0


if __name__ == "__main__":
    leave(main())
