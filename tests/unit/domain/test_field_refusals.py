"""A command's wrong fields are refused all at once, each with its field (the command's own
field name), so a worker corrects them in one go rather than one a submit; a refusal about the
placement's state still comes first, on its own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from tests.unit.domain.builders import (
    HOUR,
    KEY_WORKER,
    MANAGER,
    NOW,
    SOCIAL_WORKER,
    apply,
    assessed,
    assessment,
    field_refusals,
    leaflet,
    missing,
    record_return,
    refusal,
    report_missing,
    started,
)
from tests.unit.domain.missing_builders import interview, returned
from workflows.domain import commands
from workflows.domain.common import ContactOutcome, RestrictionKind, RiskLevel
from workflows.domain.decide import open_break_glass
from workflows.domain.errors import DomainError, FieldsRefused
from workflows.domain.state import PlacementState

LATER = NOW + HOUR  # in the future when the command is decided at NOW
BLANK = "   "
TOO_LONG = "x" * 129
INTERNET = RestrictionKind.internet


def _restricted() -> PlacementState:
    return apply(
        started(),
        commands.ImposeRestriction(
            actor=MANAGER, kind=INTERNET, reason="unknown adult online", starts_at=NOW - HOUR
        ),
    )


def _assessment_requested() -> PlacementState:
    return apply(
        started(),
        commands.RequestContactAssessment(
            actor=SOCIAL_WORKER, contact_person_reference="aunt", relationship="maternal aunt"
        ),
    )


def _proposed() -> PlacementState:
    return apply(
        started(),
        commands.ProposeVisitor(
            actor=KEY_WORKER, visitor_reference="uncle", stated_relationship="uncle"
        ),
    )


# The state, the command with two or more wrong fields, how long after NOW it is decided, and
# the fields refused.
Case = tuple[Callable[[], PlacementState], commands.PlacementCommand, timedelta, set[str]]
CASES: dict[str, Case] = {
    "leaflet": (
        started,
        leaflet(interpreter_reference=None, language="English", child_understanding=BLANK,
                delivered_at=LATER),
        timedelta(0),
        {"interpreter_reference", "language", "child_understanding", "delivered_at"},
    ),
    "missing procedures explained": (
        started,
        commands.RecordMissingProceduresExplained(
            actor=KEY_WORKER, explained_at=LATER, interpreter_reference=TOO_LONG
        ),
        timedelta(0),
        {"explained_at", "interpreter_reference"},
    ),
    "risk assessment": (
        started,
        assessment(factors=(BLANK,), child_views=BLANK, assessed_at=LATER),
        timedelta(0),
        {"factors", "child_views", "assessed_at"},
    ),
    "planning meeting": (
        assessed,
        commands.RecordPlanningMeeting(
            actor=KEY_WORKER, held_at=LATER, young_person_present=False, child_views=BLANK
        ),
        timedelta(0),
        {"absence_reason", "child_views", "held_at"},
    ),
    "looked-after review": (
        started,
        commands.RecordLookedAfterReview(
            actor=SOCIAL_WORKER, held_at=LATER, chaired_by_iro_reference=BLANK, child_views=BLANK
        ),
        timedelta(0),
        {"held_at", "chaired_by_iro_reference", "child_views"},
    ),
    "social worker's visit": (
        started,
        commands.RecordSocialWorkerVisit(
            actor=SOCIAL_WORKER, visited_at=LATER, social_worker_reference=BLANK,
            child_seen_alone=True,
        ),
        timedelta(0),
        {"visited_at", "social_worker_reference"},
    ),
    "NRM referral": (
        started,
        commands.RecordNrmReferral(
            actor=SOCIAL_WORKER, referred_at=LATER, referral_reference=BLANK
        ),
        timedelta(0),
        {"referred_at", "referral_reference"},
    ),
    "risk level change": (
        assessed,
        commands.ChangeRiskLevel(actor=MANAGER, to_level=RiskLevel.medium, reason=BLANK),
        timedelta(0),
        {"to_level", "reason"},
    ),
    "observation": (
        started,
        commands.RecordObservation(
            actor=KEY_WORKER, category=BLANK, note_reference_or_text="x" * 501, observed_at=LATER
        ),
        timedelta(0),
        {"category", "note_reference_or_text", "observed_at"},
    ),
    "report missing": (
        started,
        report_missing(last_seen_at=LATER, clothing_reference=None,
                       known_whereabouts_reference="at a friend's", description_reference=TOO_LONG),
        timedelta(0),
        {"last_seen_at", "clothing_reference", "known_whereabouts_reference",
         "description_reference"},
    ),
    "return": (
        missing,
        # Back before the child was last seen (two hours before NOW).
        record_return(returned_at=NOW - 3 * HOUR, found_by_reference=BLANK,
                      where_found_reference=BLANK),
        timedelta(0),
        {"returned_at", "found_by_reference", "where_found_reference"},
    ),
    "return interview": (
        returned,
        # Held before the child returned (ten hours after NOW).
        interview(held_at=NOW + 5 * HOUR, interviewer_reference=BLANK, child_views=BLANK),
        40 * HOUR,
        {"held_at", "interviewer_reference", "child_views"},
    ),
    "police acknowledgement": (
        missing,
        commands.RecordPoliceAcknowledgement(
            actor=KEY_WORKER, episode_id="pl-0001-M1", police_acknowledged_at=LATER,
            police_reference=BLANK,
        ),
        timedelta(0),
        {"police_acknowledged_at", "police_reference"},
    ),
    "phone release": (
        started,
        commands.RecordPhoneReleaseConfirmed(
            actor=SOCIAL_WORKER, confirmation_reference=BLANK, confirmed_at=LATER
        ),
        timedelta(0),
        {"confirmation_reference", "confirmed_at"},
    ),
    "restriction imposed": (
        started,
        commands.ImposeRestriction(
            actor=MANAGER, kind=INTERNET, reason=BLANK, starts_at=LATER,
            contact_person_references=("aunt",), review_by=NOW + timedelta(days=400),
        ),
        timedelta(0),
        {"reason", "contact_person_references", "starts_at", "review_by"},
    ),
    "restriction renewed": (
        _restricted,
        commands.RenewRestriction(
            actor=MANAGER, kind=INTERNET, reason=BLANK, review_by=NOW + timedelta(days=400)
        ),
        timedelta(0),
        {"reason", "review_by"},
    ),
    "restriction lifted": (
        _restricted,
        commands.LiftRestriction(actor=MANAGER, kind=INTERNET, reason=BLANK, lifted_at=LATER),
        timedelta(0),
        {"reason", "lifted_at"},
    ),
    "contact assessment requested": (
        started,
        commands.RequestContactAssessment(
            actor=SOCIAL_WORKER, contact_person_reference=BLANK, relationship=BLANK
        ),
        timedelta(0),
        {"contact_person_reference", "relationship"},
    ),
    "contact assessed": (
        _assessment_requested,
        commands.RecordContactAssessment(
            actor=SOCIAL_WORKER, contact_person_reference="aunt", outcome=ContactOutcome.safe,
            assessed_at=LATER, assessment_reference=BLANK,
        ),
        timedelta(0),
        {"assessed_at", "assessment_reference"},
    ),
    "suspicious activity": (
        started,
        commands.RecordSuspiciousActivity.model_validate(
            {"actor": KEY_WORKER, "category": "waiting_car", "note_reference_or_text": BLANK,
             "observed_at": LATER}
        ),
        timedelta(0),
        {"note_reference_or_text", "observed_at"},
    ),
    "enquiry": (
        started,
        commands.RecordEnquiry.model_validate(
            {"actor": KEY_WORKER, "channel": "phone", "enquirer_reference": BLANK,
             "question": BLANK, "received_at": LATER}
        ),
        timedelta(0),
        {"enquirer_reference", "question", "received_at"},
    ),
    "visitor proposed": (
        started,
        commands.ProposeVisitor(
            actor=KEY_WORKER, visitor_reference=BLANK, stated_relationship=BLANK
        ),
        timedelta(0),
        {"visitor_reference", "stated_relationship"},
    ),
    "visitor verified": (
        _proposed,
        commands.RecordVisitorVerified(
            actor=SOCIAL_WORKER, visitor_reference="uncle", interviewed_at=LATER,
            identity_established=True, relationship_established=True,
            police_check_reference=TOO_LONG, immigration_check_reference=TOO_LONG,
        ),
        timedelta(0),
        {"interviewed_at", "police_check_reference", "immigration_check_reference"},
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", CASES)
def test_every_wrong_field_of_a_command_is_refused_at_once(name: str) -> None:
    state, command, after, fields = CASES[name]
    refused = field_refusals(state(), command, now=NOW + after)
    assert set(refused) == fields
    assert all(message and message[0].islower() for message in refused.values())


def test_one_refusal_reads_as_it_did_and_several_read_as_one_line() -> None:
    one = refusal(started(), leaflet(interpreter_reference=None))
    assert one == (
        "the leaflet must be explained with an interpreter: give the interpreter's reference"
    )
    both = refusal(started(), leaflet(interpreter_reference=None, child_understanding=BLANK))
    assert both == f"{one}; record how well the child understood the leaflet"


def test_a_refusal_about_the_placement_comes_first_and_alone() -> None:
    delivered = apply(started(), leaflet())
    with pytest.raises(DomainError) as refused:
        apply(delivered, leaflet(interpreter_reference=None, delivered_at=LATER))
    assert not isinstance(refused.value, FieldsRefused)
    assert str(refused.value) == "the leaflet delivery is already recorded"


def test_an_unknown_episode_is_refused_at_its_field() -> None:
    unknown = interview(episode_id="pl-0001-M9", child_views=BLANK)
    assert field_refusals(returned(), unknown, now=NOW + 40 * HOUR) == {
        "episode_id": "this placement has no missing episode with that id: check the episode id"
    }


def test_a_break_glass_opening_is_refused_for_its_reason_and_its_end_at_once() -> None:
    command = commands.OpenBreakGlass(actor=MANAGER, reason=BLANK, until=NOW + 5 * HOUR)
    with pytest.raises(FieldsRefused) as refused:
        open_break_glass(started(), command, now=NOW)
    assert [field for field, _ in refused.value.problems] == ["reason", "until"]
