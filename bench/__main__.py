"""Every benchmark, one after another, each figure printed as it comes; the last line gives
the intake and escalation ratios to the baseline.

    python -m bench --quick                          # make bench-quick: under 2 minutes
    python -m bench --write docs/benchmarks.md       # make bench: full sizes, 3 runs

Speeds are medians of the runs with their spread, and each is a ratio to the baseline measured
in the same run on the same server. Speed is measured here, never asserted in tests.
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

from bench import open_placements, placement_list, placement_year, throughput, unit_year
from bench.stack import bench_stack
from safeside.log import configure_logging
from safeside.process_exit import leave

T = TypeVar("T")


@dataclass(frozen=True)
class Sizes:
    runs: int
    baseline: int
    intake: int
    escalation: int
    open_placements: int
    unit_days: int

    @classmethod
    def for_mode(cls, quick: bool, runs: int | None) -> Sizes:
        if quick:
            return cls(runs or 1, 150, 150, 200, 300, 30)
        return cls(runs or 3, 300, 300, 1000, 1000, 365)


@dataclass
class Results:
    baseline: list[float] = field(default_factory=list)
    intake: list[float] = field(default_factory=list)
    escalations: list[throughput.Escalation] = field(default_factory=list)
    open: list[open_placements.OpenFigures] = field(default_factory=list)
    years: list[placement_year.YearFigures] = field(default_factory=list)
    unit: unit_year.UnitYearFigures | None = None
    lists: dict[str, float] = field(default_factory=dict)

    def ratio(self, values: list[float]) -> float:
        return statistics.median(values) / statistics.median(self.baseline)


def say(lines: Sequence[str]) -> None:
    print("\n".join(lines), flush=True)


async def run(sizes: Sizes) -> Results:
    results = Results()
    for number in range(1, sizes.runs + 1):
        say([f"run {number}/{sizes.runs}"])
        async with bench_stack() as stack:
            rate = await throughput.measure_baseline(stack.client, stack.task_queue, sizes.baseline)
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


def report(results: Results, sizes: Sizes, command: str) -> str:
    esc, opened, years = results.escalations, results.open, results.years
    unit = results.unit
    assert unit is not None
    intake_ratio = results.ratio(results.intake)
    escalation_ratio = results.ratio(of(esc, lambda e: e.rate))
    lines = [
        "# Benchmarks",
        "",
        f"Machine: {machine()}. Command: `{command}`. Each figure is the median of the runs "
        "with its range and the number of runs; every speed is also a ratio to the baseline "
        "measured in the same run on the same server: the Temporal dev server with its SQLite "
        "file (WAL), an embedded PostgreSQL and the worker, all on this machine.",
        "",
        "## Throughput, against the server's own limit",
        "",
        "| figure | median (range, runs) | ratio to baseline | target |",
        "|---|---|---|---|",
        f"| baseline: workflows/s, one no-op activity ({sizes.baseline}) | "
        f"{spread(results.baseline)} | 1 | — |",
        f"| placement intake: placements/s through their arrival work ({sizes.intake}) | "
        f"{spread(results.intake)} | {intake_ratio:.2f} | ≥ 0.5 |",
        f"| escalations/s, {sizes.escalation} placements due at the same instant | "
        f"{spread(of(esc, lambda e: e.rate))} | {escalation_ratio:.2f} | ≥ 0.5 |",
        f"| escalation lateness p50, s (due → notification delivered) | "
        f"{spread(of(esc, lambda e: e.lateness_p50))} | — | — |",
        f"| escalation lateness p99, s | {spread(of(esc, lambda e: e.lateness_p99))} | — | — |",
        "",
        "A job that scans for overdue cases every N minutes is late by up to N minutes (a "
        "nightly one by up to a day). Here each placement's own timer fires at the due time, and "
        "the lateness above is the whole way to a delivered notification, under a burst of "
        f"{sizes.escalation} at once.",
        "",
        f"## {sizes.open_placements} open placements on one worker",
        "",
        "| figure | median (range, runs) |",
        "|---|---|",
        f"| worker process RSS, no placement open, MiB | "
        f"{spread(of(opened, lambda o: o.rss_empty_mib), 0)} |",
        f"| worker process RSS, {sizes.open_placements} open and cached, MiB | "
        f"{spread(of(opened, lambda o: o.rss_open_mib), 0)} |",
        f"| per placement, KiB | {spread(of(opened, lambda o: o.kib_per_placement), 0)} |",
        f"| handover query p50, ms | {spread(of(opened, lambda o: o.handover_p50_ms), 1)} |",
        f"| handover query p99, ms | {spread(of(opened, lambda o: o.handover_p99_ms), 1)} |",
        f"| state query p50, ms | {spread(of(opened, lambda o: o.state_p50_ms), 1)} |",
        f"| state query p99, ms | {spread(of(opened, lambda o: o.state_p99_ms), 1)} |",
        "",
        "RSS is that of a new process running the worker, its client and the bench; the "
        "per-placement cost includes each placement's share of its unit's workflow (8 "
        "children a unit). "
        f"Queries are timed one after another over {open_placements.SAMPLE} of the open "
        "placements, through the same functions the API calls.",
        "",
        "## A placement-year and a unit-year (time-skipping server)",
        "",
        "| figure | median (range, runs) | target |",
        "|---|---|---|",
        f"| placement events a day | {spread(of(years, lambda y: y.events / y.days))} | — |",
        f"| placement runs in a year | {spread(of(years, lambda y: y.runs), 0)} | — |",
        f"| largest single-run history, events | "
        f"{spread(of(years, lambda y: y.largest_history), 0)} | < 10,240 |",
        f"| replay of the year's histories, s | {spread(of(years, lambda y: y.replay_seconds))} "
        "| — |",
        f"| audit trail of the year from PostgreSQL, rows | "
        f"{spread(of(years, lambda y: y.audit_rows), 0)} | — |",
        f"| audit trail of the year from PostgreSQL, ms (pages of 100) | "
        f"{spread(of(years, lambda y: 1000 * y.audit_seconds), 1)} | — |",
        f"| unit: hourly checks over {unit.days} days | {unit.checks} | — |",
        f"| unit: runs / largest single-run history, events | {unit.runs} / "
        f"{unit.largest_history} | < 10,240 |",
        "",
        "The placement-year (`bench/placement_year.py`): each clock met on the day it falls "
        "due (every third social worker visit a few days late), a weekly record, a missing "
        "episode a month with its return interview. The unit's hourly checks are the unit "
        "workflow's own history (`bench/unit_year.py`).",
        "",
        "## Lists from PostgreSQL",
        "",
        *placement_list.describe(results.lists),
        "",
        f"intake ratio {intake_ratio:.2f}, escalation ratio {escalation_ratio:.2f}",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes, under 2 minutes")
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
    print(text)  # its last line: the intake and escalation ratios
    return 0


if __name__ == "__main__":
    leave(main())
