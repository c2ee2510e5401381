"""The Philomena Protocol profile, part 1: recorded by the unit at or after arrival, recorded
again whenever it changes (the latest counts, each in the trail), every wrong field refused at
once without echoing it, shown as not yet completed until it is; part 2 is the missing report,
and the police's notice of a report carries both."""

from __future__ import annotations

from typing import Any

from activities.notifications import CONTENT_BUILDERS, redacted_for
from tests.unit.domain.builders import (
    HOUR,
    KEY_WORKER,
    NOW,
    POLICY,
    apply,
    decided,
    field_refusals,
    refusal,
    report_missing,
    started,
)
from workflows.domain.commands import EndPlacement, RecordPhilomenaProfile
from workflows.domain.common import Role
from workflows.domain.notices import MISSING_CHILDREN_PROFORMA, notices_for
from workflows.domain.philomena import MOST_REFERENCES
from workflows.domain.protection_events import PhilomenaProfileRecorded
from workflows.domain.state import PlacementState, fold
from workflows.domain.summary import handover_summary

DESCRIPTION = "slight build, 1.55 m, short black hair, scar on left hand"
PHOTO = "PHOTO-2026-03-02-A"


def profile(**changes: object) -> RecordPhilomenaProfile:
    fields: dict[str, object] = {
        "actor": KEY_WORKER,
        "physical_description": DESCRIPTION,
        "photograph_references": [PHOTO, "  ", "PHOTO-2026-03-02-B"],
        "clothing_references": ["CLOTHES-1"],
        "known_associate_references": ["PERSON-44"],
        "known_place_references": ["PLACE-12"],
    }
    return RecordPhilomenaProfile.model_validate(fields | changes)


def profiled(at: Any = NOW) -> PlacementState:
    return apply(started(), profile(), now=at)


def test_the_profile_is_recorded_with_blank_references_left_out() -> None:
    (event,) = decided(started(), profile())
    assert isinstance(event, PhilomenaProfileRecorded)
    assert event.physical_description == DESCRIPTION
    assert event.photograph_references == (PHOTO, "PHOTO-2026-03-02-B")
    recorded = fold([event], started()).philomena_profile
    assert recorded is not None
    assert recorded.profile_recorded_at == NOW
    assert recorded.profile_recorded_by == KEY_WORKER
    assert recorded.known_place_references == ("PLACE-12",)


def test_recording_it_again_replaces_it_and_both_stay_in_the_trail() -> None:
    first = decided(started(), profile())
    later = NOW + 5 * HOUR
    second = decided(fold(first, started()), profile(physical_description="now dyed red"), later)
    state = fold([*first, *second], started())
    assert state.philomena_profile is not None
    assert state.philomena_profile.physical_description == "now dyed red"
    assert state.philomena_profile.profile_recorded_at == later
    assert [event.type for event in [*first, *second]] == ["philomena_profile_recorded"] * 2


def test_the_handover_says_part_1_is_not_yet_completed_until_it_is() -> None:
    assert handover_summary(started(), NOW, POLICY).profile_recorded_at is None
    assert handover_summary(profiled(), NOW + HOUR, POLICY).profile_recorded_at == NOW


def test_no_clock_runs_for_part_1_and_nobody_is_told_of_it() -> None:
    before = {d.deadline_id for d in handover_summary(started(), NOW, POLICY).open_deadlines}
    after = {d.deadline_id for d in handover_summary(profiled(), NOW, POLICY).open_deadlines}
    assert before == after
    (event,) = decided(started(), profile())
    assert notices_for(fold([event], started()), event) == []


def test_every_wrong_field_is_refused_at_once_without_echoing_it() -> None:
    secret = "MARKER-secret-place"
    refused = field_refusals(
        started(),
        profile(
            physical_description="   ",
            photograph_references=["x" * 129],
            known_place_references=[f"{secret}-{n}" for n in range(MOST_REFERENCES + 1)],
        ),
    )
    assert set(refused) == {
        "physical_description",
        "photograph_references",
        "known_place_references",
    }
    assert "longer than 128 characters" in refused["photograph_references"]
    assert f"at most {MOST_REFERENCES}" in refused["known_place_references"]
    assert not any(secret in message or "xxx" in message for message in refused.values())


def test_a_description_too_long_is_refused_with_the_limit() -> None:
    refused = field_refusals(started(), profile(physical_description="d" * 501))
    assert "longer than 500 characters" in refused["physical_description"]


def test_an_ended_placement_takes_no_profile() -> None:
    ended = apply(started(), EndPlacement(actor=KEY_WORKER, reason="moved", ended_at=NOW))
    assert refusal(ended, profile(), now=NOW + HOUR) == (
        "this placement has ended: nothing more can be recorded on it"
    )


def _police_notice(state: PlacementState) -> dict[str, Any]:
    (event,) = decided(state, report_missing(), now=NOW + HOUR)
    after = fold([event], state)
    notices = [n for n in notices_for(after, event) if n.recipient is Role.police]
    assert [n.purpose for n in notices] == [MISSING_CHILDREN_PROFORMA]
    return CONTENT_BUILDERS[MISSING_CHILDREN_PROFORMA](after, event)


def test_the_police_notice_of_a_report_carries_parts_1_and_2_whole() -> None:
    details = redacted_for(Role.police.value, _police_notice(profiled()))
    # Part 1, as last recorded.
    assert details["physical_description"] == DESCRIPTION
    assert details["photograph_references"] == [PHOTO, "PHOTO-2026-03-02-B"]
    assert details["clothing_references"] == ["CLOTHES-1"]
    assert details["known_associate_references"] == ["PERSON-44"]
    assert details["known_place_references"] == ["PLACE-12"]
    assert details["profile_recorded_at"] is not None
    # Part 2, the report's.
    assert details["last_seen_place_reference"] == report_missing().last_seen_place_reference
    assert details["clothing_reference"] == "PHIL-2-0042"
    assert details["circumstances"] == "left for college and did not arrive"


def test_the_police_notice_says_when_part_1_was_never_recorded() -> None:
    details = _police_notice(started())
    assert details["profile_recorded_at"] is None
    assert "physical_description" not in details


def test_no_other_recipient_is_sent_the_profile() -> None:
    details = _police_notice(profiled())
    for recipient in Role:
        if recipient is Role.police:
            continue
        shown = redacted_for(recipient.value, details)
        assert DESCRIPTION not in str(shown), recipient
        assert PHOTO not in str(shown), recipient
