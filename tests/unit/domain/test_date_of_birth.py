"""The child's date of birth in the start facts: optional (old records and old clients still
read), with whether the age is disputed and where its assessment stands; a date that cannot be a
child's is refused at its field, and no refusal ever repeats the date."""

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from tests.unit.domain.builders import NOW, PLACEMENT, start_command
from workflows.domain.decide import decide
from workflows.domain.errors import FieldsRefused
from workflows.domain.events import (
    PLACEMENT_EVENTS,
    AgeAssessment,
    PlacementStarted,
    event_to_stored,
)
from workflows.domain.policy import Policy
from workflows.domain.start_checks import MAX_AGE_YEARS, start_problems
from workflows.domain.state import fold, initial_state

# Distinctive: searched for in every refusal.
BORN = date(2011, 7, 23)
SPELLINGS = ("2011-07-23", "23/07/2011", "23 July 2011", "2011")
TODAY = NOW.date()


def _started(**changes: object) -> PlacementStarted:
    events = decide(initial_state(PLACEMENT), start_command(**changes), now=NOW, policy=Policy())
    started = events[0]
    assert isinstance(started, PlacementStarted)
    return started


def test_a_child_with_a_disputed_age_starts_with_the_date_as_given_and_the_assessment() -> None:
    started = _started(
        date_of_birth=BORN, age_disputed=True, age_assessment=AgeAssessment.in_progress
    )
    assert (started.date_of_birth, started.age_disputed) == (BORN, True)
    assert started.age_assessment is AgeAssessment.in_progress
    state = fold([started])
    assert state.facts is not None
    assert state.facts.date_of_birth == BORN
    assert state.facts.age_assessment is AgeAssessment.in_progress


def test_a_start_without_a_date_of_birth_still_starts_with_the_age_undisputed() -> None:
    started = _started()
    assert started.date_of_birth is None
    assert started.age_disputed is False
    assert started.age_assessment is AgeAssessment.not_needed


def test_a_start_stored_before_the_date_of_birth_was_asked_reads_without_one() -> None:
    type_name, version, payload = event_to_stored(_started(date_of_birth=BORN))
    for field in ("date_of_birth", "age_disputed", "age_assessment"):
        payload.pop(field)
    read = PLACEMENT_EVENTS.from_stored(type_name, version, payload)
    assert isinstance(read, PlacementStarted)
    assert (read.date_of_birth, read.age_disputed) == (None, False)
    assert read.age_assessment is AgeAssessment.not_needed
    # And a start stored before the phone was modelled (schema version 1) too.
    payload.pop("phone_held")
    assert PLACEMENT_EVENTS.from_stored(type_name, 1, payload) == read


def test_a_date_of_birth_in_the_future_is_refused_at_its_field() -> None:
    problems = start_problems(start_command(date_of_birth=TODAY + timedelta(days=1)), NOW)
    assert problems == {
        "date_of_birth": "the date of birth is in the future: check the date of birth"
    }


def test_a_date_of_birth_more_than_25_years_back_is_refused_and_25_years_is_not() -> None:
    too_old = TODAY.replace(year=TODAY.year - MAX_AGE_YEARS - 1)
    problems = start_problems(start_command(date_of_birth=too_old), NOW)
    assert set(problems) == {"date_of_birth"}
    assert f"more than {MAX_AGE_YEARS} years ago" in problems["date_of_birth"]
    care_leaver = TODAY.replace(year=TODAY.year - MAX_AGE_YEARS)
    assert start_problems(start_command(date_of_birth=care_leaver), NOW) == {}
    assert start_problems(start_command(date_of_birth=TODAY), NOW) == {}


def test_the_workflow_refuses_a_date_of_birth_in_the_future_without_repeating_it() -> None:
    command = start_command(date_of_birth=BORN)
    with pytest.raises(FieldsRefused) as refused:
        decide(
            initial_state(PLACEMENT),
            command,
            now=NOW.replace(year=2010),
            policy=Policy(),
        )
    fields = [field for field, _ in refused.value.problems]
    assert "date_of_birth" in fields
    told = str(refused.value) + repr(refused.value.problems)
    assert not any(spelling in told for spelling in SPELLINGS)


@pytest.mark.parametrize(
    "bad",
    [{"date_of_birth": "23/07/2011"}, {"age_assessment": "merton"}, {"age_disputed": "perhaps"}],
)
def test_a_value_of_the_wrong_kind_is_refused_by_its_field_without_repeating_it(
    bad: dict[str, str],
) -> None:
    with pytest.raises(ValidationError) as refused:
        start_command(**bad)
    [error] = refused.value.errors()
    assert error["loc"] == (next(iter(bad)),)
    assert next(iter(bad.values())) not in error["msg"]
