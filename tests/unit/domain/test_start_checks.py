"""Start checks: a placement starts only with facts its clocks can run with, and each wrong
fact is named by the field a person has to correct."""

from datetime import UTC, date, datetime, timedelta

from tests.unit.domain.builders import ARRIVED, NOW, PLACEMENT, refusal, start_command
from workflows.domain.start_checks import start_problems
from workflows.domain.state import initial_state


def test_facts_the_clocks_can_run_with_have_no_problem() -> None:
    assert start_problems(start_command(), NOW) == {}


def test_an_arrival_before_the_calendars_years_is_named_on_the_arrival() -> None:
    problems = start_problems(start_command(arrived_at=datetime(1900, 1, 1, tzinfo=UTC)), NOW)
    assert set(problems) == {"arrived_at"}
    assert problems["arrived_at"].startswith("the arrival date must be between 2000 and 2100")


def test_dates_in_the_first_years_of_the_calendar_are_refused_only_outside_it() -> None:
    first = datetime(2000, 1, 1, 0, 0, tzinfo=UTC)
    facts = start_command(arrived_at=first, looked_after_since=date(2000, 1, 1))
    assert start_problems(facts, NOW) == {}
    earlier = start_command(
        arrived_at=first - timedelta(minutes=1), looked_after_since=date(1999, 12, 31)
    )
    assert set(start_problems(earlier, NOW)) == {"arrived_at", "looked_after_since"}


def test_an_arrival_in_year_one_is_refused_without_failing() -> None:
    problems = start_problems(start_command(arrived_at=datetime(1, 1, 1, tzinfo=UTC)), NOW)
    assert set(problems) == {"arrived_at"}


def test_a_looked_after_date_before_the_calendars_years_is_named_on_it() -> None:
    problems = start_problems(start_command(looked_after_since=date(1900, 1, 1)), NOW)
    assert set(problems) == {"looked_after_since"}
    assert "between 2000 and 2100" in problems["looked_after_since"]


def test_an_arrival_in_the_future_is_named_on_the_arrival() -> None:
    problems = start_problems(start_command(), ARRIVED - timedelta(minutes=1))
    assert problems == {
        "arrived_at": "the arrival time is in the future: "
        "start the placement once the child has arrived"
    }


def test_a_looked_after_date_in_the_future_is_named_on_it_rather_than_as_after_arrival() -> None:
    problems = start_problems(start_command(looked_after_since=date(2026, 3, 4)), NOW)
    assert problems == {
        "looked_after_since": "the looked-after date is in the future: "
        "give the day the child became looked after"
    }


def test_becoming_looked_after_after_the_arrival_day_is_named_on_the_looked_after_date() -> None:
    later = start_command(looked_after_since=date(2026, 3, 3))
    problems = start_problems(later, NOW + timedelta(days=2))
    assert set(problems) == {"looked_after_since"}
    assert "later than the day they arrived" in problems["looked_after_since"]


def test_the_workflow_refuses_an_arrival_in_1900_in_plain_words() -> None:
    # Before: the start was accepted and every workflow task failed on the calendar's range.
    command = start_command(arrived_at=datetime(1900, 1, 1, tzinfo=UTC))
    message = refusal(initial_state(PLACEMENT), command)
    assert message.startswith("the arrival date must be between 2000 and 2100")
