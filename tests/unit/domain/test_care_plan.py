"""Decisions on the care plan: the leaflet (R1), the missing procedures (R4), the risk
assessment (R8, R9, R17), risk level changes (R17) and observations (R7, R15)."""

from datetime import timedelta

import pytest

from tests.unit.domain.builders import (
    ARRIVED,
    KEY_WORKER,
    NOW,
    POLICY,
    apply,
    assessed,
    assessment,
    leaflet,
    refusal,
    start_command,
    started,
)
from workflows.domain.commands import (
    ChangeRiskLevel,
    RecordMissingProceduresExplained,
    RecordObservation,
)
from workflows.domain.common import Actor, RiskLevel, Role
from workflows.domain.decide import decide
from workflows.domain.events import (
    LeafletDelivered,
    MissingProceduresExplained,
    ObservationRecorded,
    RiskAssessed,
    RiskLevelChanged,
)
from workflows.domain.state import initial_state

# R1: the leaflet


def test_leaflet_delivered_with_an_interpreter_is_recorded() -> None:
    (event,) = decide(started(), leaflet(language=" tigrinya "), now=NOW, policy=POLICY)
    assert isinstance(event, LeafletDelivered)
    assert event.version == 3
    assert event.interpreter_reference == "int-5521"
    assert event.language == "Tigrinya"
    assert event.delivered_at == ARRIVED + timedelta(hours=3)
    assert event.occurred_at == NOW


@pytest.mark.parametrize("interpreter", [None, "", "   "])
def test_leaflet_without_interpreter_is_refused(interpreter: str | None) -> None:
    message = refusal(started(), leaflet(interpreter_reference=interpreter))
    assert message == (
        "the leaflet must be explained with an interpreter: give the interpreter's reference"
    )


def test_leaflet_in_another_language_is_refused() -> None:
    message = refusal(started(), leaflet(language="English"))
    assert message.startswith("the leaflet must be in the child's own language")


def test_leaflet_without_the_childs_understanding_is_refused() -> None:
    message = refusal(started(), leaflet(child_understanding=" "))
    assert message == "record how well the child understood the leaflet"


def test_leaflet_dated_in_the_future_is_refused() -> None:
    message = refusal(started(), leaflet(delivered_at=NOW + timedelta(minutes=5)))
    assert message == (
        "the time of the leaflet delivery is in the future: record it once it has happened"
    )


def test_leaflet_dated_before_arrival_is_refused() -> None:
    message = refusal(started(), leaflet(delivered_at=ARRIVED - timedelta(hours=1)))
    assert message.startswith("the leaflet delivery cannot be before the child arrived")


def test_leaflet_recorded_twice_is_refused() -> None:
    state = apply(started(), leaflet())
    assert refusal(state, leaflet()) == "the leaflet delivery is already recorded"


# R4: the missing procedures


def test_missing_procedures_explained_is_recorded_with_optional_interpreter() -> None:
    command = RecordMissingProceduresExplained(actor=KEY_WORKER, explained_at=NOW)
    (event,) = decide(started(), command, now=NOW, policy=POLICY)
    assert isinstance(event, MissingProceduresExplained)
    assert event.interpreter_reference is None
    assert event.explained_at == NOW


def test_missing_procedures_explained_twice_is_refused() -> None:
    command = RecordMissingProceduresExplained(actor=KEY_WORKER, explained_at=NOW)
    state = apply(started(), command)
    assert refusal(state, command) == "telling the child the missing procedures is already recorded"


def test_missing_procedures_explained_in_the_future_is_refused() -> None:
    command = RecordMissingProceduresExplained(
        actor=KEY_WORKER, explained_at=NOW + timedelta(hours=1)
    )
    assert "is in the future" in refusal(started(), command)


# R8, R9, R17: the risk assessment


def test_risk_assessment_with_the_childs_views_is_recorded() -> None:
    (event,) = decide(started(), assessment(), now=NOW, policy=POLICY)
    assert isinstance(event, RiskAssessed)
    assert event.child_views == "wants to stay and go to college"
    assert event.child_participated is True
    assert event.factors == ("unknown adult asked for the child by phone",)


def test_risk_assessment_at_a_new_level_also_records_the_level_change() -> None:
    events = decide(started(), assessment(level=RiskLevel.high), now=NOW, policy=POLICY)

    change, assessed_event = events
    assert isinstance(change, RiskLevelChanged)
    assert (change.from_level, change.to_level) == (RiskLevel.medium, RiskLevel.high)
    assert change.reason == "risk assessment"
    assert isinstance(assessed_event, RiskAssessed)
    assert [event.version for event in events] == [3, 4]


@pytest.mark.parametrize("views", [None, "", "  "])
def test_risk_assessment_without_the_childs_views_is_refused(views: str | None) -> None:
    message = refusal(started(), assessment(child_views=views))
    assert message.startswith("the child's views must be recorded with the risk assessment")


def test_risk_assessment_without_risk_factors_is_refused() -> None:
    message = refusal(started(), assessment(factors=(" ",)))
    assert message == "list at least one risk factor in the risk assessment"


def test_risk_assessment_dated_in_the_future_is_refused() -> None:
    message = refusal(started(), assessment(assessed_at=NOW + timedelta(seconds=1)))
    assert "the time of the risk assessment is in the future" in message


def test_risk_assessment_older_than_the_latest_one_is_refused() -> None:
    state = apply(assessed(), assessment(assessed_at=NOW))
    message = refusal(state, assessment(assessed_at=NOW - timedelta(hours=2)))
    assert message.startswith("this assessment is older than the latest risk assessment")


# R17: risk level changes


def test_risk_level_change_is_recorded_from_the_current_level() -> None:
    command = ChangeRiskLevel(actor=KEY_WORKER, to_level=RiskLevel.high, reason="car seen waiting")
    (event,) = decide(started(), command, now=NOW, policy=POLICY)
    assert isinstance(event, RiskLevelChanged)
    assert (event.from_level, event.to_level) == (RiskLevel.medium, RiskLevel.high)
    assert event.reason == "car seen waiting"


def test_risk_level_change_to_the_same_level_is_refused() -> None:
    command = ChangeRiskLevel(actor=KEY_WORKER, to_level=RiskLevel.medium, reason="no change")
    assert refusal(started(), command) == "the risk level is already medium"


def test_risk_level_change_without_a_reason_is_refused() -> None:
    command = ChangeRiskLevel(actor=KEY_WORKER, to_level=RiskLevel.low)
    assert refusal(started(), command) == "give the reason the risk level changed"


# R7, R15: observations


def observation(**changes: object) -> RecordObservation:
    fields: dict[str, object] = {
        "actor": Actor(role=Role.residential_worker, reference="staff-033"),
        "category": "suspicious_activity",
        "note_reference_or_text": "log book p.14: car waiting outside at 22:10",
        "observed_at": NOW,
    }
    return RecordObservation.model_validate(fields | changes)


def test_observation_is_recorded() -> None:
    (event,) = decide(started(), observation(), now=NOW, policy=POLICY)
    assert isinstance(event, ObservationRecorded)
    assert event.category == "suspicious_activity"


def test_observation_without_a_kind_is_refused() -> None:
    assert refusal(started(), observation(category="")) == "say what kind of observation this is"


def test_observation_without_text_is_refused() -> None:
    message = refusal(started(), observation(note_reference_or_text="  "))
    assert message == "write the observation or give its log book reference"


def test_observation_too_long_is_refused_and_pointed_to_the_log_book() -> None:
    message = refusal(started(), observation(note_reference_or_text="x" * 501))
    assert "put the detail in the log book" in message


def test_observation_in_the_future_is_refused() -> None:
    message = refusal(started(), observation(observed_at=NOW + timedelta(hours=1)))
    assert "the time of the observation is in the future" in message


def test_refusal_messages_carry_no_personal_details() -> None:
    # Only opaque ids may appear: the language, authority and free text never do.
    messages = [
        refusal(started(), leaflet(language="English")),
        refusal(started(), assessment(child_views=None)),
        refusal(initial_state("pl-0002"), start_command()),
    ]
    for message in messages:
        assert "Tigrinya" not in message
        assert "English" not in message
        assert "Example County Council" not in message
