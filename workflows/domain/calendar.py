"""Calendar arithmetic for statutory clocks, in Europe/London, with results in UTC.

Durations such as "within 7 days" are exact (arrival + 7 x 24 hours in UTC), so a clock
that crosses a change to or from British Summer Time ends at a different wall-clock hour.
Working days and calendar months are counted on the London wall clock, because that is how
people and the regulations count them.
"""

from datetime import UTC, date, datetime, time, timedelta

import holidays

from workflows.domain.common import LONDON, utc

_SATURDAY = 5


# Built once at import: the holidays package reads the locale and the clock when it builds a
# calendar, which a Temporal workflow may not do, so workflows only ever look dates up here.
# The window covers every placement this product will hold (records are kept until the child
# is 75, but clocks run only while a placement is open).
_FIRST_YEAR, _LAST_YEAR = 2000, 2100
_BANK_HOLIDAYS_ENGLAND: frozenset[date] = frozenset(
    holidays.country_holidays("GB", subdiv="ENG", years=range(_FIRST_YEAR, _LAST_YEAR + 1))
)
# The years a clock can run in: a start outside them is refused (`start_checks`).
KNOWN_YEARS = range(_FIRST_YEAR, _LAST_YEAR + 1)


def is_working_day(day: date) -> bool:
    """Monday to Friday, except bank holidays in England."""
    if not _FIRST_YEAR <= day.year <= _LAST_YEAR:
        raise ValueError(f"working days are known for {_FIRST_YEAR}-{_LAST_YEAR}, not {day.year}")
    return day.weekday() < _SATURDAY and day not in _BANK_HOLIDAYS_ENGLAND


def london_day_start(day: date) -> datetime:
    """Midnight at the start of `day` in London, as a UTC instant."""
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def london_days_after(day: date, n: int) -> datetime:
    """Midnight in London at the start of the `n`th day after `day`, as a UTC instant.

    For clocks defined as "`n` days from the start of `day`": the days are counted on the
    London calendar, not as n x 24 hours, so a change to or from British Summer Time in
    between still ends at 00:00 London time rather than 23:00 or 01:00.
    """
    return london_day_start(day + timedelta(days=n))


def _at_london_wall_clock(day: date, wall_clock: time) -> datetime:
    # fold=0: an hour repeated in October resolves to its first occurrence; an hour skipped
    # in March resolves one hour later on the wall clock. Either way the result is aware.
    return datetime.combine(day, wall_clock.replace(fold=0), tzinfo=LONDON).astimezone(UTC)


def add_working_days(start: datetime, n: int) -> datetime:
    """The same London wall-clock time `n` working days after `start`.

    The start day is never counted, even when it is a working day; a start on a weekend or
    bank holiday counts from the next working day (Saturday + 1 = Monday).
    """
    if n < 0:
        raise ValueError("working days can only be added, not subtracted")
    local = utc(start).astimezone(LONDON)
    day = local.date()
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return _at_london_wall_clock(day, local.time())


def add_months(dt: datetime, n: int) -> datetime:
    """The same London wall-clock time `n` calendar months later.

    A day that does not exist in the target month is clamped to its last day
    (31 January + 1 month = 28 or 29 February).
    """
    local = utc(dt).astimezone(LONDON)
    month_index = local.year * 12 + (local.month - 1) + n
    year, month = divmod(month_index, 12)
    month += 1
    day = min(local.day, _days_in_month(year, month))
    return _at_london_wall_clock(date(year, month, day), local.time())


def _days_in_month(year: int, month: int) -> int:
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return (first_of_next - timedelta(days=1)).day
