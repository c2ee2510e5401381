"""The protection events are stored by stable names and read back exactly; placements stored
before R11 was modelled read as holding the phone; a repeating ladder is well formed."""

import json
from datetime import timedelta

import pytest
from pydantic import ValidationError

from tests.unit.domain.builders import (
    HOUR,
    KEY_WORKER,
    MANAGER,
    NOW,
    PLACEMENT,
    POLICY,
    SOCIAL_WORKER,
    record_return,
    report_missing,
    started,
)
from workflows.domain.commands import (
    ImposeRestriction,
    LiftRestriction,
    PlacementCommand,
    ProposeVisitor,
    RecordContactAssessment,
    RecordEnquiry,
    RecordFamilyContact,
    RecordPhoneReleaseConfirmed,
    RecordReturnInterview,
    RecordSuspiciousActivity,
    RecordUnverifiedVisitAttempt,
    RecordVisit,
    RecordVisitorVerified,
    RenewRestriction,
    RequestContactAssessment,
    StartPlacement,
)
from workflows.domain.common import ContactOutcome, EnquiryChannel, RestrictionKind, Role
from workflows.domain.decide import decide
from workflows.domain.events import PlacementStarted, event_from_stored, event_to_stored
from workflows.domain.ladders import EscalationStep
from workflows.domain.policy import ClockPolicy
from workflows.domain.state import evolve, initial_state


def story() -> list[PlacementCommand]:
    internet = RestrictionKind.internet
    return [
        report_missing(),
        record_return(returned_at=NOW + HOUR),
        RecordReturnInterview(
            actor=SOCIAL_WORKER,
            episode_id=f"{PLACEMENT}-M1",
            held_at=NOW + 2 * HOUR,
            interviewer_reference="rhi-3",
            child_views="wants to stay",
        ),
        RecordEnquiry(
            actor=KEY_WORKER,
            channel=EnquiryChannel.online,
            enquirer_reference="unknown profile",
            question="where is she staying?",
            received_at=NOW,
        ),
        RecordUnverifiedVisitAttempt(actor=KEY_WORKER, visitor_reference="VIS-1", attempted_at=NOW),
        ProposeVisitor(actor=KEY_WORKER, visitor_reference="VIS-1", stated_relationship="uncle"),
        RecordVisitorVerified(
            actor=SOCIAL_WORKER,
            visitor_reference="VIS-1",
            interviewed_at=NOW,
            identity_established=True,
            relationship_established=True,
        ),
        RecordVisit(actor=KEY_WORKER, visitor_reference="VIS-1", visited_at=NOW + HOUR),
        RecordPhoneReleaseConfirmed(
            actor=SOCIAL_WORKER, confirmation_reference="e-mail 4 March", confirmed_at=NOW
        ),
        ImposeRestriction(actor=MANAGER, kind=internet, reason="online grooming", starts_at=NOW),
        RenewRestriction(actor=MANAGER, kind=internet, reason="still needed"),
        LiftRestriction(actor=MANAGER, kind=internet, reason="reduced", lifted_at=NOW + HOUR),
        RequestContactAssessment(
            actor=SOCIAL_WORKER, contact_person_reference="aunt", relationship="aunt"
        ),
        RecordContactAssessment(
            actor=SOCIAL_WORKER,
            contact_person_reference="aunt",
            outcome=ContactOutcome.safe,
            assessed_at=NOW + 3 * HOUR,
            assessment_reference="CA-1",
        ),
        RecordFamilyContact(
            actor=KEY_WORKER,
            contact_person_reference="aunt",
            means="video_call",
            contact_at=NOW + 3 * HOUR,
        ),
        RecordSuspiciousActivity(
            actor=KEY_WORKER,
            category="waiting_car",
            note_reference_or_text="log 3",
            observed_at=NOW,
        ),
    ]


def test_every_protection_event_reads_back_exactly_as_it_was_stored() -> None:
    state = started()
    names = []
    for command in story():
        for event in decide(state, command, now=NOW + 3 * HOUR, policy=POLICY):
            type_name, version, payload = event_to_stored(event)
            assert event_from_stored(type_name, version, json.loads(json.dumps(payload))) == event
            assert "." not in type_name
            state = evolve(state, event)
            names.append(type_name)
    assert len(set(names)) == 16


def test_a_placement_stored_before_r11_reads_as_holding_the_phone() -> None:
    start = StartPlacement.model_validate(
        started().facts.model_dump() | {"actor": MANAGER}  # type: ignore[union-attr]
    )
    (event, _) = decide(initial_state(PLACEMENT), start, now=NOW, policy=POLICY)
    _, _, payload = event_to_stored(event)
    del payload["phone_held"]
    old = event_from_stored("placement_started", 1, json.loads(json.dumps(payload)))
    assert isinstance(old, PlacementStarted)
    assert (old.phone_held, old.schema_version) == (True, 2)


def test_a_repeating_step_needs_a_ladder_and_a_positive_interval() -> None:
    for ladder, every in (
        ((), timedelta(hours=24)),
        ((EscalationStep(name="dm", offset=timedelta(0)),), timedelta(0)),
    ):
        with pytest.raises(ValidationError):
            ClockPolicy(
                requirement="R5",
                responsible_role=Role.duty_manager,
                ladder=ladder,
                repeat_last_step_every=every,
            )
