"""Dates and times as people in the UK write them: day, month and year in three small boxes
and a 24-hour time (the GOV.UK date input), always on the London wall clock, read into the
UTC time the domain keeps.

A time that never happened in London (the hour the clocks go forward in March) is refused
rather than moved; in the hour repeated each October the first of the two is meant, as
``workflows.domain.calendar`` reads it. Messages never repeat what was typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from workflows.domain.common import LONDON

DAY, MONTH, YEAR, TIME = "day", "month", "year", "time"
DATE_PARTS = (DAY, MONTH, YEAR)
MOMENT_PARTS = (*DATE_PARTS, TIME)
EXAMPLE_DATE = "27 11 2026"
EXAMPLE_TIME = "21:30"
_TIME = re.compile(r"^(\d{1,2})[:.]?(\d{2})$")


def part_name(name: str, part: str) -> str:
    """The input of one part of the date ``name`` ("arrived_at-day")."""
    return f"{name}-{part}"


def moment_parts(name: str, moment: datetime) -> dict[str, str]:
    """A time as the inputs show it: the London wall clock, to the minute."""
    local = moment.astimezone(LONDON)
    return date_parts(name, local.date()) | {part_name(name, TIME): local.strftime("%H:%M")}


def date_parts(name: str, day: date) -> dict[str, str]:
    return {
        part_name(name, DAY): str(day.day),
        part_name(name, MONTH): str(day.month),
        part_name(name, YEAR): str(day.year),
    }


@dataclass(frozen=True)
class Read:
    """One date input, read: its ISO text for the model, or a message, or neither (empty)."""

    value: str | None = None
    error: str | None = None


def read_date(submitted: Mapping[str, str], name: str) -> Read:
    day = _day(_typed(submitted, name, DATE_PARTS))
    return day if isinstance(day, Read) else Read(value=day.isoformat())


def read_moment(submitted: Mapping[str, str], name: str) -> Read:
    """The date and 24-hour time typed for ``name`` on the London clock, as an aware ISO time
    in UTC."""
    typed = _typed(submitted, name, MOMENT_PARTS)
    day = _day(typed)
    if isinstance(day, Read):
        return day
    found = _TIME.match(typed[TIME])
    if not typed[TIME]:
        return Read(error=f"Include the time, in 24 hours, such as {EXAMPLE_TIME}")
    if found is None or int(found[1]) > 23 or int(found[2]) > 59:
        return Read(error=f"Enter the time in 24 hours, such as {EXAMPLE_TIME}")
    wall_clock = datetime.combine(day, time(int(found[1]), int(found[2])), tzinfo=LONDON)
    moment = wall_clock.astimezone(UTC)
    if moment.astimezone(LONDON).replace(tzinfo=None) != wall_clock.replace(tzinfo=None):
        return Read(
            error="That time did not happen in the UK: the clocks went forward an hour at "
            "01:00 that day, so enter a time from 02:00"
        )
    return Read(value=moment.isoformat())


def _typed(submitted: Mapping[str, str], name: str, parts: tuple[str, ...]) -> dict[str, str]:
    return {part: submitted.get(part_name(name, part), "").strip() for part in parts}


def _day(typed: Mapping[str, str]) -> date | Read:
    """The day typed, or the answer instead: empty when nothing at all was typed, else why the
    day is refused."""
    if not any(typed.values()):
        return Read()
    missing = [part for part in DATE_PARTS if not typed[part]]
    if missing:
        return Read(error=f"Include the {' and '.join(missing)}, such as {EXAMPLE_DATE}")
    if not all(typed[part].isdigit() for part in DATE_PARTS) or len(typed[YEAR]) != 4:
        return Read(
            error=f"Enter the day, month and a 4-digit year as numbers, such as {EXAMPLE_DATE}"
        )
    try:
        return date(int(typed[YEAR]), int(typed[MONTH]), int(typed[DAY]))
    except ValueError:
        return Read(error=f"Enter a real date, such as {EXAMPLE_DATE}")


def spoken(moment: datetime, today: date | None = None) -> str:
    """A time as a confirmation says it: "03:40", with the day when it is not ``today``
    (London)."""
    local = moment.astimezone(LONDON)
    clock = local.strftime("%H:%M")
    if today is not None and local.date() == today:
        return clock
    return f"{clock} on {local.day} {local.strftime('%B %Y')}"


def london_today(now: datetime) -> date:
    return now.astimezone(LONDON).date()
