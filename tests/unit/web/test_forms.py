"""Reading a submitted form into a domain model, and its errors as a message per field."""

from __future__ import annotations

from datetime import UTC, datetime

from starter.web.form_specs import PLACEMENT_FORMS, START_FORM
from starter.web.forms import london_input, validated
from workflows.domain.common import RiskLevel
from workflows.domain.events import PlacementFacts

GOOD_START = {
    "placement_id": "PL-2031",
    "case_reference": "CASE-88412",
    "unit_id": "UNIT-7",
    "first_language": "Tigrinya",
    "looked_after_since": "2026-07-01",
    "arrived_at": "2026-07-01T21:32",
    "placing_authority": "Example Borough Council",
    "social_worker_reference": "sw-204",
    "initial_risk_level": "high",
    "ukvi_relevant": "yes",
}


def test_a_good_start_form_makes_the_start_facts_with_the_time_on_the_london_clock() -> None:
    facts, state = validated(START_FORM, GOOD_START)
    assert isinstance(facts, PlacementFacts)
    assert state.errors == {}
    # 21:32 in London in July is 20:32 UTC (British Summer Time).
    assert facts.arrived_at == datetime(2026, 7, 1, 20, 32, tzinfo=UTC)
    assert facts.initial_risk_level is RiskLevel.high
    assert facts.ukvi_relevant is True


def test_a_winter_time_on_the_london_clock_is_the_same_in_utc() -> None:
    facts, _ = validated(START_FORM, GOOD_START | {"arrived_at": "2026-11-27T21:32"})
    assert isinstance(facts, PlacementFacts)
    assert facts.arrived_at == datetime(2026, 11, 27, 21, 32, tzinfo=UTC)


def test_each_wrong_field_gets_a_plain_message_and_nothing_is_made() -> None:
    submitted = GOOD_START | {
        "placement_id": "PL 2031 (Amina)",
        "unit_id": "",
        "looked_after_since": "yesterday",
        "arrived_at": "last night",
        "initial_risk_level": "",
        "ukvi_relevant": "",
    }
    facts, state = validated(START_FORM, submitted)
    assert facts is None
    assert state.errors == {
        "placement_id": "Use 3 to 64 letters, digits, hyphens or underscores, starting with a "
        "letter or digit (an id, never a name)",
        "unit_id": "Fill this in",
        "looked_after_since": "Enter a date, such as 27/11/2026",
        "arrived_at": "Enter a date and time, such as 27/11/2026 21:30",
        "initial_risk_level": "Choose one",
        "ukvi_relevant": "Choose one",
    }
    # Shown again as typed, so nothing needs typing twice; the messages never repeat it.
    assert state.values["placement_id"] == "PL 2031 (Amina)"
    assert not any("Amina" in message for message in state.errors.values())


def test_a_value_that_is_not_one_of_the_choices_is_refused() -> None:
    _, state = validated(START_FORM, GOOD_START | {"initial_risk_level": "extreme"})
    assert state.errors == {"initial_risk_level": "Choose one of the options"}


def test_a_text_too_long_for_a_reference_says_how_long_it_may_be() -> None:
    _, state = validated(START_FORM, GOOD_START | {"case_reference": "C" * 129})
    assert state.errors == {"case_reference": "Use at most 128 characters"}


def test_lines_become_a_list_and_an_optional_empty_field_is_left_out() -> None:
    spec = PLACEMENT_FORMS["risk-assessment"]
    submitted = {
        "level": "medium",
        "factors": "waiting car\n\n  phone enquiries  \n",
        "child_participated": "no",
        "child_views": "",
        "assessed_at": london_input(datetime(2026, 11, 27, 9, 0, tzinfo=UTC)),
    }
    body, state = validated(spec, submitted)
    assert state.errors == {}
    assert body is not None
    fields = body.model_dump()
    assert fields["factors"] == ("waiting car", "phone enquiries")
    assert fields["child_participated"] is False
    assert fields["child_views"] is None


def test_a_field_the_form_does_not_ask_for_can_be_filled_by_the_page() -> None:
    spec = PLACEMENT_FORMS["observation"]
    observed = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    body, state = validated(
        spec, {"category": "mood", "note_reference_or_text": "LOG-12"}, {"observed_at": observed}
    )
    assert state.errors == {}
    assert body is not None
    assert body.model_dump()["observed_at"] == observed


def test_every_placement_form_asks_only_for_fields_of_its_command() -> None:
    for key, spec in PLACEMENT_FORMS.items():
        assert key == spec.key
        assert {f.name for f in spec.fields} <= set(spec.model.model_fields), key
        assert "actor" not in {f.name for f in spec.fields}
