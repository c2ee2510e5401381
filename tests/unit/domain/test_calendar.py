"""Working days, London midnights and calendar months, always answered in UTC."""

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from tests.unit.domain.builders import in_utc
from workflows.domain.calendar import (
    add_months,
    add_working_days,
    is_working_day,
    london_day_start,
    london_days_after,
)
from workflows.domain.common import LONDON, utc
from workflows.domain.errors import DomainError


def test_bank_holidays_in_england_are_not_working_days() -> None:
    assert is_working_day(date(2026, 12, 25)) is False  # Christmas Day
    assert is_working_day(date(2026, 12, 28)) is False  # Boxing Day, observed on Monday
    assert is_working_day(date(2026, 4, 3)) is False  # Good Friday
    assert is_working_day(date(2026, 4, 6)) is False  # Easter Monday
    assert is_working_day(date(2026, 12, 29)) is True


def test_scottish_only_bank_holidays_are_working_days_in_england() -> None:
    # 2 January is a bank holiday in Scotland, not in England.
    assert is_working_day(date(2026, 1, 2)) is True


def test_weekends_are_not_working_days() -> None:
    assert is_working_day(date(2026, 3, 7)) is False
    assert is_working_day(date(2026, 3, 8)) is False


# A number of working days after a moment (UTC): the same time on the London wall clock, on
# the day it lands once weekends and England's bank holidays are skipped.
WORKING_DAYS: dict[str, tuple[str, int, str]] = {
    "a Friday's next working day is the Monday": ("2026-03-06 16:45", 1, "2026-03-09 16:45"),
    "Christmas and Boxing Day are skipped": ("2026-12-24 15:00", 2, "2026-12-30 15:00"),
    "Easter Monday is skipped after Good Friday": ("2026-04-03 12:00", 2, "2026-04-08 12:00"),
    "a weekend start counts from the next working day": ("2026-03-07 11:00", 1, "2026-03-09 11:00"),
    # The clocks go forward on Sunday 29 March 2026: 10:00 GMT, then 10:00 BST.
    "the London wall clock is kept across summer time": ("2026-03-27 10:00", 2, "2026-03-31 09:00"),
    "zero working days is the same instant": ("2026-03-07 11:00", 0, "2026-03-07 11:00"),
}


@pytest.mark.parametrize("case", WORKING_DAYS)
def test_working_days_land_on_the_right_day_at_the_same_london_time(case: str) -> None:
    start, days, lands = WORKING_DAYS[case]
    assert add_working_days(in_utc(start), days) == in_utc(lands)


def test_working_days_cannot_be_subtracted() -> None:
    with pytest.raises(ValueError, match="only be added"):
        add_working_days(datetime(2026, 3, 6, tzinfo=UTC), -1)


def test_results_are_in_utc_whatever_zone_the_start_was_given_in() -> None:
    paris = timezone(timedelta(hours=1))
    result = add_working_days(datetime(2026, 3, 6, 17, 45, tzinfo=paris), 1)
    assert result.tzinfo is UTC
    assert result == datetime(2026, 3, 9, 16, 45, tzinfo=UTC)


def test_london_midnight_is_utc_midnight_in_winter() -> None:
    assert london_day_start(date(2026, 1, 15)) == datetime(2026, 1, 15, 0, 0, tzinfo=UTC)


def test_london_midnight_is_11pm_utc_the_day_before_in_summer() -> None:
    assert london_day_start(date(2026, 7, 15)) == datetime(2026, 7, 14, 23, 0, tzinfo=UTC)


def test_london_midnight_on_the_days_the_clocks_change() -> None:
    assert london_day_start(date(2026, 3, 29)) == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    assert london_day_start(date(2026, 10, 25)) == datetime(2026, 10, 24, 23, 0, tzinfo=UTC)


def _clock_changes(first_year: int, last_year: int) -> list[date]:
    """Every day on which London's offset from UTC changes, read from the zone database."""

    def offset_at_noon(day: date) -> timedelta | None:
        return datetime.combine(day, time(12), tzinfo=LONDON).utcoffset()

    day, last = date(first_year, 1, 1), date(last_year, 12, 31)
    changes = []
    while day <= last:
        if offset_at_noon(day) != offset_at_noon(day - timedelta(days=1)):
            changes.append(day)
        day += timedelta(days=1)
    return changes


CLOCK_CHANGES = _clock_changes(2000, 2100)


def test_the_zone_database_gives_a_start_and_an_end_of_summer_time_every_year() -> None:
    assert len(CLOCK_CHANGES) == 2 * 101
    assert {day.year for day in CLOCK_CHANGES} == set(range(2000, 2101))
    assert all(day.weekday() == 6 for day in CLOCK_CHANGES)  # always a Sunday


@pytest.mark.parametrize("change", CLOCK_CHANGES, ids=str)
def test_days_after_a_london_day_end_at_london_midnight_across_every_clock_change(
    change: date,
) -> None:
    # A looked-after day on each side of the change, and periods that end before, on and
    # after it; every due time is the start of the right London day, in GMT and BST alike.
    for looked_after in (change - timedelta(days=1), change, change + timedelta(days=1)):
        for days in (1, 2, 28):
            due = london_days_after(looked_after, days)
            on_the_london_clock = due.astimezone(LONDON)
            assert due.tzinfo is UTC
            assert on_the_london_clock.date() == looked_after + timedelta(days=days)
            assert on_the_london_clock.time() == time(0)


def test_a_first_review_28_days_from_1_october_is_at_midnight_gmt_on_29_october() -> None:
    # Looked after since 1 October 2026 (BST); the clocks go back on 25 October.
    assert london_days_after(date(2026, 10, 1), 28) == datetime(2026, 10, 29, 0, 0, tzinfo=UTC)


def test_a_period_that_crosses_the_clocks_going_forward_ends_at_midnight_bst() -> None:
    # Looked after since 2 March 2026 (GMT); summer time starts on 29 March.
    assert london_days_after(date(2026, 3, 2), 28) == datetime(2026, 3, 29, 23, 0, tzinfo=UTC)


def test_adding_months_keeps_the_day_and_the_london_wall_clock() -> None:
    january = datetime(2026, 1, 15, 14, 0, tzinfo=UTC)  # 14:00 GMT
    assert add_months(january, 3) == datetime(2026, 4, 15, 13, 0, tzinfo=UTC)  # 14:00 BST


def test_adding_months_clamps_to_the_end_of_a_shorter_month() -> None:
    assert add_months(datetime(2026, 1, 31, 9, 0, tzinfo=UTC), 1) == datetime(
        2026, 2, 28, 9, 0, tzinfo=UTC
    )
    assert add_months(datetime(2028, 1, 31, 9, 0, tzinfo=UTC), 1) == datetime(
        2028, 2, 29, 9, 0, tzinfo=UTC
    )
    # 10:00 BST on 31 August becomes 10:00 GMT on 28 February.
    assert add_months(datetime(2026, 8, 31, 9, 0, tzinfo=UTC), 6) == datetime(
        2027, 2, 28, 10, 0, tzinfo=UTC
    )


def test_adding_months_crosses_the_year_end() -> None:
    november = datetime(2026, 11, 15, 10, 0, tzinfo=UTC)
    assert add_months(november, 3) == datetime(2027, 2, 15, 10, 0, tzinfo=UTC)


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(DomainError, match="without a time zone"):
        utc(datetime(2026, 3, 6, 10, 0))
    with pytest.raises(DomainError):
        add_months(datetime(2026, 3, 6, 10, 0), 1)
