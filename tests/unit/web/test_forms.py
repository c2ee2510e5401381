"""Reading a submitted form into a domain model, and its errors as a message per field."""

from __future__ import annotations

from datetime import UTC, datetime

from starter.web.form_specs import PLACEMENT_FORMS, START_FORM
from starter.web.forms import FormState, validated
from starter.web.uk_time import moment_parts
from workflows.domain.common import RiskLevel
from workflows.domain.events import PlacementFacts


def typed(name: str, day: str, month: str, year: str, time: str | None = None) -> dict[str, str]:
    """A date as typed in its boxes: day, month, year and (for a time) a 24-hour time."""
    parts = {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}
    return parts | ({} if time is None else {f"{name}-time": time})


GOOD_START = {
    "placement_id": "PL-2031",
    "case_reference": "CASE-88412",
    "unit_id": "UNIT-7",
    "first_language": "Tigrinya",
    **typed("looked_after_since", "1", "7", "2026"),
    **typed("arrived_at", "1", "7", "2026", "21:32"),
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
    facts, _ = validated(START_FORM, GOOD_START | typed("arrived_at", "27", "11", "2026", "2132"))
    assert isinstance(facts, PlacementFacts)
    assert facts.arrived_at == datetime(2026, 11, 27, 21, 32, tzinfo=UTC)


def test_each_wrong_field_gets_a_plain_message_and_nothing_is_made() -> None:
    submitted = GOOD_START | {
        "placement_id": "PL 2031 (Amina)",
        "unit_id": "",
        **typed("looked_after_since", "yesterday", "", ""),
        **typed("arrived_at", "31", "2", "2026", "21:30"),
        "initial_risk_level": "",
        "ukvi_relevant": "",
        "case_reference": "",
    }
    facts, state = validated(START_FORM, submitted)
    assert facts is None
    assert state.errors == {
        "placement_id": "Use 3 to 64 letters, digits, hyphens or underscores, starting with a "
        "letter or digit (an id, never a name)",
        "case_reference": "Fill this in",
        "unit_id": "Fill this in",
        "looked_after_since": "Include the month and year, such as 27 11 2026",
        "arrived_at": "Enter a real date, such as 27 11 2026",
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


def test_lines_become_a_list_and_yes_or_no_a_bool() -> None:
    spec = PLACEMENT_FORMS["risk-assessment"]
    submitted = {
        "level": "medium",
        "factors": "waiting car\n\n  phone enquiries  \n",
        "child_participated": "no",
        "child_views": "would rather not say",
        **moment_parts("assessed_at", datetime(2026, 11, 27, 9, 0, tzinfo=UTC)),
    }
    body, state = validated(spec, submitted)
    assert state.errors == {}
    assert body is not None
    fields = body.model_dump()
    assert fields["factors"] == ("waiting car", "phone enquiries")
    assert fields["child_participated"] is False


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


def test_a_field_the_domain_needs_left_empty_is_said_with_every_other_at_once() -> None:
    spec = PLACEMENT_FORMS["return"]
    _, state = validated(spec, {"returned-at-day": ""})
    assert state.errors == {
        "returned_at": "Enter the date and time",
        "found_by_reference": "Fill this in",
        "where_found_reference": "Fill this in",
    }


def test_a_time_the_clocks_skipped_is_refused_and_the_hour_repeated_is_the_first() -> None:
    spec = PLACEMENT_FORMS["observation"]
    base = {"category": "mood", "note_reference_or_text": "LOG-1"}
    _, skipped = validated(spec, base | typed("observed_at", "29", "3", "2026", "01:30"))
    assert skipped.errors["observed_at"].startswith("That time did not happen in the UK")
    body, repeated = validated(spec, base | typed("observed_at", "25", "10", "2026", "01:30"))
    assert repeated.errors == {}
    assert body is not None
    # 01:30 happens twice that night: the first, still British Summer Time.
    assert body.model_dump()["observed_at"] == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_a_refusal_of_the_domain_s_that_names_a_field_is_shown_at_it() -> None:
    spec = PLACEMENT_FORMS["leaflet-delivered"]
    assert (
        spec.refused_at(
            "the leaflet must be explained with an interpreter: give the interpreter's reference"
        )
        == "interpreter_reference"
    )
    assert spec.refused_at("the leaflet delivery is already recorded") is None


def test_each_field_the_domain_refuses_is_shown_at_it_and_the_rest_for_the_form() -> None:
    spec = PLACEMENT_FORMS["leaflet-delivered"]
    state = FormState()
    state.refuse(
        spec,
        "all three",
        [
            ("interpreter_reference", "give the interpreter's reference"),
            ("language", "the leaflet must be in the child's own language"),
            ("actor", "not a field of this form"),
        ],
    )
    assert state.errors == {
        "interpreter_reference": "Give the interpreter's reference",
        "language": "The leaflet must be in the child's own language",
    }
    assert state.problem == "Not a field of this form"
    assert [text for _, text in state.error_links(spec)] == [
        "Language of the leaflet: The leaflet must be in the child's own language",
        "Interpreter's reference: Give the interpreter's reference",
    ]
