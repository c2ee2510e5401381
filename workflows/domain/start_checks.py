"""What a placement's clocks need of its start facts, checked before anything starts.

A start the clocks cannot run with (an arrival in 1900: no working days are known then) would
be accepted by Temporal and then fail every workflow task, leaving a placement nobody sees. So
the doors ask `start_problems` with the real clock before anything is recorded, and the
workflow asks it again in `decide` at `workflow.now()`. Each problem is keyed by the field a
person has to correct; messages name the field, never echo its value (a date of birth above
all: it identifies the child).
"""

from datetime import date, datetime

from workflows.domain.calendar import KNOWN_YEARS
from workflows.domain.common import LONDON, utc
from workflows.domain.events import PlacementFacts


def start_problems(facts: PlacementFacts, now: datetime) -> dict[str, str]:
    """Each start fact the placement could not run with, by field, with what to do; empty
    when it can start."""
    now = utc(now)
    arrived, looked_after = facts.arrived_at, facts.looked_after_since
    problems: dict[str, str] = {}
    # London keeps GMT at new year, so the year in UTC is the year in London (and a time in
    # year 1 cannot even be moved into London's zone).
    if not _known(arrived.date()):
        problems["arrived_at"] = _outside_calendar("arrival date")
    elif arrived > now:
        problems["arrived_at"] = (
            "the arrival time is in the future: start the placement once the child has arrived"
        )
    if not _known(looked_after):
        problems["looked_after_since"] = _outside_calendar("looked-after date")
    elif looked_after > now.astimezone(LONDON).date():
        problems["looked_after_since"] = (
            "the looked-after date is in the future: give the day the child became looked after"
        )
    elif "arrived_at" not in problems and looked_after > arrived.astimezone(LONDON).date():
        problems["looked_after_since"] = (
            "the child cannot have become looked after later than the day they arrived: "
            "check the looked-after date"
        )
    if facts.date_of_birth is not None:
        born = _birth_problem(facts.date_of_birth, now.astimezone(LONDON).date())
        if born is not None:
            problems["date_of_birth"] = born
    return problems


# A date of birth further back than this is a mistyped year: Safeside is for children, and
# young people up to 25 still count as care leavers.
MAX_AGE_YEARS = 25


def _birth_problem(born: date, today: date) -> str | None:
    if born > today:
        return "the date of birth is in the future: check the date of birth"
    # 29 February has no anniversary in most years: count from the 28th.
    earliest = today.replace(year=today.year - MAX_AGE_YEARS, day=min(today.day, 28))
    if born < earliest:
        return (
            f"the date of birth is more than {MAX_AGE_YEARS} years ago: Safeside is for "
            "children and young people: check the year"
        )
    return None


def _known(day: date) -> bool:
    return day.year in KNOWN_YEARS


def _outside_calendar(what: str) -> str:
    return (
        f"the {what} must be between {KNOWN_YEARS[0]} and {KNOWN_YEARS[-1]}, the years the "
        "statutory clocks can count in: check the year"
    )
