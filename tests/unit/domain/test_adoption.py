"""Adopting a placement: a child who already lives in the unit, with what was done before.

The adoption records the steps done with their own dates, each marked as recorded on
adoption; the clocks run on from there as if Safeside had been there all along; what was
already overdue is recorded once, told once to the Registered Manager, and no ladder is
replayed for the past."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.adoptions import adoption
from tests.support.placements import MANAGER
from workflows.domain import commands
from workflows.domain.adoption import adopt
from workflows.domain.adoption_events import OverdueAtAdoption
from workflows.domain.common import DeadlineKind, MissingKind, Role
from workflows.domain.deadlines import due, running_clocks
from workflows.domain.decide import decide, escalations_due
from workflows.domain.errors import FieldsRefused
from workflows.domain.events import PLACEMENT_EVENTS, LookedAfterReviewHeld, PlacementEvent
from workflows.domain.notices import notices_for
from workflows.domain.policy import Policy
from workflows.domain.state import PlacementState, fold, initial_state

POLICY = Policy()
NOW = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
PL = "PL-adopt-1"
DAY = timedelta(days=1)


def adopted(**options: object) -> tuple[list[PlacementEvent], PlacementState]:
    events = adopt(initial_state(PL), adoption(PL, NOW, **options), now=NOW, policy=POLICY)
    return events, fold(events)


def owed(events: list[PlacementEvent]) -> list[tuple[str, str]]:
    """Every notice the events owe, folding as the workflow does: (recipient, purpose)."""
    notices, state = [], initial_state(PL)
    for event in events:
        state = fold([event], state)
        notices += [(n.recipient.value, n.purpose) for n in notices_for(state, event)]
    return notices


def test_every_step_done_is_recorded_on_adoption_by_the_manager_with_its_own_date() -> None:
    events, state = adopted()

    assert all(event.recorded_on_adoption for event in events)
    assert {event.actor for event in events} == {MANAGER}
    assert [e.type for e in events][:3] == [
        "placement_started",
        "interpreter_requested",
        "leaflet_delivered",
    ]
    assert state.leaflet_delivered_at == NOW - 100 * DAY + timedelta(hours=3)
    assert state.planning_meeting_held_at == NOW - 95 * DAY
    assert state.phone_held is False
    assert state.restrictions[0].review_by == NOW + 4 * DAY


def test_adopting_a_placement_with_every_step_done_owes_nothing_now_or_for_the_past() -> None:
    events, state = adopted()

    assert owed(events) == []
    assert not any(isinstance(event, OverdueAtAdoption) for event in events)
    assert escalations_due(state, NOW, POLICY) == []
    assert not any(deadline.overdue for deadline in due(state, NOW, POLICY))


def test_from_then_on_the_normal_ladders_apply() -> None:
    _, state = adopted()

    # The internet restriction is due for review in 4 days: its reminder a day before.
    later = escalations_due(state, NOW + 3 * DAY, POLICY)

    assert [(e.type, getattr(e, "step_name", None)) for e in later] == [
        ("escalation_raised", "reminder")
    ]
    assert later[0].recorded_on_adoption is False


def test_the_clocks_after_adoption_are_those_live_recording_would_have_left() -> None:
    command = adoption(PL, NOW, leave_out=("reviews", "phone", "internet_restriction"))
    _, from_adoption = adopted(leave_out=("reviews", "phone", "internet_restriction"))
    facts = command.model_dump(include=set(commands.StartPlacement.model_fields) - {"type"})
    live = [
        commands.StartPlacement(**facts),
        commands.RecordLeafletDelivered(
            actor=MANAGER,
            language="Tigrinya",
            interpreter_reference="INT-55",
            child_understanding="understood",
            delivered_at=command.leaflet_delivered_at,
        ),
        commands.RecordMissingProceduresExplained(
            actor=MANAGER, explained_at=command.missing_procedures_explained_at
        ),
        assessment(command.arrived_at + 2 * DAY),
        commands.RecordPlanningMeeting(
            actor=MANAGER,
            held_at=command.planning_meeting_held_at,
            young_person_present=True,
            child_views="views",
        ),
        commands.RecordSocialWorkerVisit(
            actor=MANAGER,
            visited_at=command.latest_visit_at,
            social_worker_reference="sw-204",
            child_seen_alone=True,
        ),
        commands.RecordNrmReferral(
            actor=MANAGER, referred_at=command.nrm_referred_at, referral_reference="NRM-1"
        ),
        assessment(command.risk_assessed_at),
    ]
    state = initial_state(PL)
    for live_command in live:
        state = fold(decide(state, live_command, now=NOW, policy=POLICY), state)

    # Live, the first assessment and the latest are both recorded (so the risk review is
    # numbered on from two); the adoption knows the latest. Every clock falls due alike.
    assert clock_times(from_adoption) == clock_times(state)


def assessment(at: datetime | None) -> commands.RecordRiskAssessment:
    assert at is not None
    return commands.RecordRiskAssessment(
        actor=MANAGER,
        level="medium",
        factors=("a factor",),
        child_participated=True,
        child_views="views",
        assessed_at=at,
    )


def clock_times(state: PlacementState) -> list[tuple[DeadlineKind, datetime]]:
    return [(clock.kind, clock.due_at) for clock in running_clocks(state, POLICY)]


def test_two_steps_overdue_are_recorded_once_and_told_once_to_the_registered_manager() -> None:
    events, state = adopted(leave_out=("planning_meeting", "nrm"))

    overdue = events[-1]
    assert isinstance(overdue, OverdueAtAdoption)
    assert overdue.recorded_on_adoption is False
    assert [d.kind for d in overdue.overdue_deadlines] == [
        DeadlineKind.nrm_referral,
        DeadlineKind.planning_meeting,
    ]
    assert owed(events) == [("registered_manager", "overdue_at_adoption")]
    assert escalations_due(state, NOW, POLICY) == []
    shown = {d.kind: d.overdue for d in due(state, NOW, POLICY)}
    assert shown[DeadlineKind.nrm_referral]
    assert shown[DeadlineKind.planning_meeting]


def test_no_ladder_step_past_at_adoption_is_ever_raised_but_later_ones_are() -> None:
    _, state = adopted(leave_out=("reviews",))

    # The first review was due 28 days after becoming looked after: every step of its ladder
    # (the IRO's last, 48 hours after the deadline) passed long ago.
    later = escalations_due(state, NOW + 30 * DAY, POLICY)

    assert state.deadline_missed("lac_review:1")
    assert [e for e in later if getattr(e, "deadline_id", "") == "lac_review:1"] == []


def test_a_review_ladder_whose_last_step_is_still_ahead_raises_only_that_step() -> None:
    # Looked after since 27 days and 1 hour before now: the first review is due in 23 hours,
    # its reminder (24 hours before) has passed, the Duty Manager's step is still ahead.
    arrived_days_ago = 27
    events = adopt(
        initial_state(PL),
        adoption(PL, NOW, arrived_days_ago=arrived_days_ago, leave_out=("reviews", "phone")),
        now=NOW,
        policy=POLICY,
    )
    state = fold(events)
    review = next(d for d in due(state, NOW, POLICY) if d.kind is DeadlineKind.lac_review)

    assert review.next_step_name == "duty_manager"
    assert owed(events) == []
    raised = escalations_due(state, review.due_at, POLICY)
    assert [getattr(e, "step_name", e.type) for e in raised] == ["deadline_missed", "duty_manager"]


def test_reviews_held_before_count_towards_the_next_one() -> None:
    _, state = adopted()

    review = next(d for d in due(state, NOW, POLICY) if d.kind is DeadlineKind.lac_review)

    assert review.deadline_id == "lac_review:3"
    assert review.due_at.date() == (NOW - 5 * DAY).replace(month=12).date()


def test_the_latest_review_records_its_number_when_earlier_ones_are_not_recorded() -> None:
    events, _ = adopted()

    review = next(e for e in events if isinstance(e, LookedAfterReviewHeld))

    assert review.number == 2


def test_a_child_missing_now_has_an_open_episode_and_nobody_is_told_again() -> None:
    events = adopt(
        initial_state(PL),
        adoption(PL, NOW).model_copy(
            update={
                "missing_kind": MissingKind.missing,
                "missing_last_seen_at": NOW - 2 * DAY,
                "missing_last_seen_place_reference": "PLACE-REF-1",
                "missing_circumstances": "did not come back from college",
                "missing_clothing_reference": "PHIL-2-77",
            }
        ),
        now=NOW,
        policy=POLICY,
    )
    state = fold(events)

    assert state.open_episode() is not None
    assert owed(events) == []
    # The daily missing review runs from the adoption: the Duty Manager a day later.
    raised = escalations_due(state, NOW + DAY, POLICY)
    assert [(e.type, getattr(e, "notify_role", None)) for e in raised] == [
        ("escalation_raised", Role.duty_manager)
    ]


def test_a_restriction_whose_review_date_passed_is_overdue_at_adoption() -> None:
    command = adoption(PL, NOW).model_copy(update={"internet_restriction_review_by": NOW - 2 * DAY})
    events = adopt(initial_state(PL), command, now=NOW, policy=POLICY)

    overdue = events[-1]
    assert isinstance(overdue, OverdueAtAdoption)
    assert [d.kind for d in overdue.overdue_deadlines] == [DeadlineKind.restriction_review]


def test_every_wrong_field_is_named_as_the_adoption_names_it() -> None:
    command = adoption(PL, NOW).model_copy(
        update={
            "leaflet_interpreter_reference": None,
            "risk_child_participated": None,
            "latest_review_held_at": None,
            "nrm_referred_at": None,
        }
    )

    with pytest.raises(FieldsRefused) as refused:
        adopt(initial_state(PL), command, now=NOW, policy=POLICY)

    fields = [field for field, _ in refused.value.problems]
    assert sorted(fields) == [
        "latest_review_held_at",
        "leaflet_interpreter_reference",
        "nrm_referred_at",
        "risk_child_participated",
    ]
    assert "NRM-2031" not in str(refused.value)


def test_a_step_in_the_future_or_before_arrival_is_refused_at_its_date() -> None:
    command = adoption(PL, NOW).model_copy(
        update={"leaflet_delivered_at": NOW + DAY, "latest_visit_at": NOW - 200 * DAY}
    )

    with pytest.raises(FieldsRefused) as refused:
        adopt(initial_state(PL), command, now=NOW, policy=POLICY)

    assert [field for field, _ in refused.value.problems] == [
        "leaflet_delivered_at",
        "latest_visit_at",
    ]


def test_a_step_recorded_on_adoption_is_stored_as_such_and_a_live_one_as_before() -> None:
    events, _ = adopted()
    type_name, version, payload = PLACEMENT_EVENTS.to_stored(events[2])

    assert payload["recorded_on_adoption"] is True
    assert PLACEMENT_EVENTS.from_stored(type_name, version, payload) == events[2]
    live = events[2].model_copy(update={"recorded_on_adoption": False})
    assert "recorded_on_adoption" not in PLACEMENT_EVENTS.to_stored(live)[2]
