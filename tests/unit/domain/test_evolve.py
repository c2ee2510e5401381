"""The state is a pure fold over events: replayable, strict about order, never mutated."""

from datetime import datetime, timedelta

import pytest

from tests.unit.domain.builders import (
    ARRIVED,
    escalation_raised,
    event_header,
    placement_started,
)
from workflows.domain.common import RiskLevel, Role
from workflows.domain.errors import DomainError, EventOutOfOrder
from workflows.domain.events import (
    DeadlineMissed,
    EscalationRaised,
    InterpreterRequested,
    LeafletDelivered,
    LookedAfterReviewHeld,
    NrmReferralMade,
    ObservationRecorded,
    PlacementEnded,
    PlacementEvent,
    RiskAssessed,
    RiskLevelChanged,
    SocialWorkerVisited,
)
from workflows.domain.state import PlacementState, PlacementStatus, evolve, fold, initial_state

AT = ARRIVED


def opening_events() -> list[PlacementEvent]:
    return [
        placement_started(first_language="Albanian", ukvi_relevant=False),
        InterpreterRequested(**event_header(2), language="Albanian"),
    ]


def opened() -> PlacementState:
    return fold(opening_events())


def assessed_event(version: int, at: datetime, level: RiskLevel) -> RiskAssessed:
    return RiskAssessed(
        **event_header(version),
        level=level,
        factors=("contact from unknown adults",),
        child_participated=True,
        child_views="wants contact with brother",
        assessed_at=at,
    )


def test_a_new_placement_state_has_nothing_recorded() -> None:
    state = initial_state("pl-0001")
    assert (state.version, state.status, state.facts) == (0, PlacementStatus.not_started, None)


def test_starting_opens_the_placement_with_its_facts_and_risk_level() -> None:
    state = opened()
    assert state.version == 2
    assert state.status is PlacementStatus.open
    assert state.facts is not None
    assert state.facts.arrived_at == AT
    assert state.risk_level is RiskLevel.medium
    assert state.interpreter_requested_at == AT


def test_evolve_leaves_the_earlier_state_unchanged() -> None:
    before = opened()
    snapshot = before.model_dump()
    after = evolve(before, InterpreterRequested(**event_header(3), language="Albanian"))
    assert before.model_dump() == snapshot
    assert after.version == 3


def test_an_event_that_skips_a_version_is_refused() -> None:
    with pytest.raises(EventOutOfOrder, match="event 4 cannot follow version 2"):
        evolve(opened(), InterpreterRequested(**event_header(4), language="Albanian"))


def test_an_event_repeating_a_version_is_refused() -> None:
    with pytest.raises(EventOutOfOrder):
        evolve(opened(), InterpreterRequested(**event_header(2), language="Albanian"))


def test_an_event_of_another_placement_is_refused() -> None:
    other = InterpreterRequested(**event_header(3, stream_id="pl-0002"), language="Albanian")
    with pytest.raises(EventOutOfOrder, match="belongs to placement pl-0002") as refused:
        evolve(opened(), other)
    assert isinstance(refused.value, DomainError)


def test_fold_continues_from_a_snapshot() -> None:
    events = opening_events()
    snapshot = fold(events[:1])
    assert fold(events[1:], snapshot) == fold(events)


def test_fold_with_nothing_to_rebuild_is_refused() -> None:
    with pytest.raises(DomainError, match="nothing to rebuild"):
        fold([])


def test_fold_of_no_events_onto_a_state_is_that_state() -> None:
    assert fold([], opened()) == opened()


def test_each_thing_done_is_remembered_with_its_own_time() -> None:
    done_at = AT + timedelta(hours=3)
    events: list[PlacementEvent] = [
        LeafletDelivered(
            **event_header(3),
            language="Albanian",
            interpreter_reference="int-1",
            child_understanding="understood",
            delivered_at=done_at,
        ),
        NrmReferralMade(**event_header(4), referred_at=done_at, referral_reference="nrm-1"),
        SocialWorkerVisited(
            **event_header(5),
            visited_at=done_at,
            social_worker_reference="sw-1",
            child_seen_alone=True,
        ),
        LookedAfterReviewHeld(
            **event_header(6), held_at=done_at, chaired_by_iro_reference="iro-1", child_views="ok"
        ),
        ObservationRecorded(
            **event_header(7),
            category="phone",
            note_reference_or_text="log p.2",
            observed_at=done_at,
        ),
    ]
    state = fold(events, opened())
    assert state.leaflet_delivered_at == done_at
    assert state.nrm_referred_at == done_at
    assert state.social_worker_visits == (done_at,)
    assert state.reviews_held == (done_at,)
    assert state.observation_count == 1


def test_assessments_and_level_changes_restart_the_risk_review_clock() -> None:
    first = AT + timedelta(hours=5)
    state = fold([assessed_event(3, first, RiskLevel.high)], opened())
    assert (state.risk_level, state.risk_review_sequence) == (RiskLevel.high, 1)
    assert state.first_assessed_at == state.risk_clock_started_at == first
    assert state.risk_factors == ("contact from unknown adults",)

    change = RiskLevelChanged(
        **event_header(4), from_level=RiskLevel.high, to_level=RiskLevel.low, reason="settled"
    )
    state = evolve(state, change)
    assert (state.risk_level, state.risk_review_sequence) == (RiskLevel.low, 2)
    assert state.risk_clock_started_at == AT
    assert state.first_assessed_at == first


def test_a_level_change_before_any_assessment_starts_no_review_clock() -> None:
    change = RiskLevelChanged(
        **event_header(3),
        from_level=RiskLevel.medium,
        to_level=RiskLevel.high,
        reason="car outside",
    )
    state = evolve(opened(), change)
    assert state.risk_level is RiskLevel.high
    assert state.risk_review_sequence == 0


def test_escalations_and_missed_deadlines_are_remembered_sorted() -> None:
    def raised(version: int, deadline_id: str, step: int) -> EscalationRaised:
        return escalation_raised(
            version,
            deadline_id=deadline_id,
            kind="leaflet" if deadline_id == "leaflet" else "nrm_referral",
            step_index=step,
            step_name="reminder",
            notify_role=Role.key_worker,
        )

    events: list[PlacementEvent] = [
        raised(3, "nrm_referral", 0),
        raised(4, "leaflet", 1),
        raised(5, "leaflet", 0),
        DeadlineMissed(
            **event_header(6), deadline_id="nrm_referral", kind="nrm_referral", due_at=AT
        ),
        DeadlineMissed(**event_header(7), deadline_id="leaflet", kind="leaflet", due_at=AT),
    ]
    state = fold(events, opened())
    assert state.escalations_raised == (("leaflet", 0), ("leaflet", 1), ("nrm_referral", 0))
    assert state.deadlines_missed == ("leaflet", "nrm_referral")
    assert state.escalation_raised("leaflet", 1)
    assert not state.escalation_raised("leaflet", 2)


def test_ending_closes_the_placement_with_its_reason() -> None:
    state = evolve(opened(), PlacementEnded(**event_header(3), reason="turned_18", ended_at=AT))
    assert (state.status, state.end_reason, state.ended_at) == (
        PlacementStatus.ended,
        "turned_18",
        AT,
    )


def test_the_state_survives_a_json_round_trip_for_continue_as_new() -> None:
    state = fold([assessed_event(3, AT, RiskLevel.low)], opened())
    state = evolve(
        state,
        escalation_raised(4, step_index=0, step_name="reminder", notify_role=Role.key_worker),
    )
    restored = PlacementState.model_validate_json(state.model_dump_json())
    assert restored == state
    assert hash(restored) == hash(state)
