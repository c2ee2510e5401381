"""Statutory clocks and escalation ladders, as a residential worker would see them."""

from datetime import UTC, date, datetime, timedelta

from workflows.domain.commands import (
    ChangeRiskLevel,
    EndPlacement,
    PlacementCommand,
    RecordLeafletDelivered,
    RecordLookedAfterReview,
    RecordRiskAssessment,
    RecordSocialWorkerVisit,
    StartPlacement,
)
from workflows.domain.common import Actor, RiskLevel, Role
from workflows.domain.deadlines import Deadline, due, next_wake_at
from workflows.domain.decide import decide, escalations_due
from workflows.domain.events import DeadlineMissed, EscalationRaised, PlacementEvent
from workflows.domain.policy import Policy
from workflows.domain.state import PlacementState, fold, initial_state
from workflows.domain.summary import handover_summary

POLICY = Policy()
PLACEMENT = "pl-0001"
# Monday 2 March 2026, 18:30 in London (GMT, so the same in UTC).
ARRIVED = datetime(2026, 3, 2, 18, 30, tzinfo=UTC)
MANAGER = Actor(role=Role.registered_manager, reference="staff-017")
KEY_WORKER = Actor(role=Role.key_worker, reference="staff-021")


def started(
    arrived: datetime = ARRIVED,
    looked_after_since: date = date(2026, 3, 1),
    policy: Policy = POLICY,
    level: RiskLevel = RiskLevel.medium,
) -> PlacementState:
    command = StartPlacement(
        actor=MANAGER,
        placement_id=PLACEMENT,
        case_reference="case-88231",
        unit_id="unit-north-02",
        first_language="Dari",
        looked_after_since=looked_after_since,
        arrived_at=arrived,
        placing_authority="Example County Council",
        social_worker_reference="sw-3301",
        initial_risk_level=level,
        ukvi_relevant=False,
    )
    state = initial_state(PLACEMENT)
    return fold(decide(state, command, now=arrived, policy=policy), state)


def apply(state: PlacementState, command: PlacementCommand, now: datetime) -> PlacementState:
    return fold(decide(state, command, now=now, policy=POLICY), state)


def deadline(state: PlacementState, deadline_id: str, now: datetime = ARRIVED) -> Deadline:
    (found,) = [item for item in due(state, now, POLICY) if item.deadline_id == deadline_id]
    return found


def open_ids(state: PlacementState, now: datetime = ARRIVED) -> list[str]:
    return [item.deadline_id for item in due(state, now, POLICY)]


def assess(state: PlacementState, at: datetime, level: RiskLevel) -> PlacementState:
    command = RecordRiskAssessment(
        actor=KEY_WORKER,
        level=level,
        factors=("phone calls from unknown adults",),
        child_participated=True,
        child_views="wants to phone an aunt",
        assessed_at=at,
    )
    return apply(state, command, now=at)


def hold_review(state: PlacementState, at: datetime) -> PlacementState:
    command = RecordLookedAfterReview(
        actor=MANAGER, held_at=at, chaired_by_iro_reference="iro-12", child_views="settled"
    )
    return apply(state, command, now=at)


def run_clock(
    state: PlacementState, start: datetime, until: datetime, policy: Policy = POLICY
) -> tuple[PlacementState, list[PlacementEvent]]:
    """Behave like the workflow: raise what is due, then sleep until the next wake time."""
    raised: list[PlacementEvent] = []
    now = start
    while True:
        events = escalations_due(state, now, policy)
        state = fold(events, state)
        raised.extend(events)
        wake = next_wake_at(state, now, policy)
        if wake is None or wake > until:
            return state, raised
        assert wake > now
        now = wake


def steps_for(events: list[PlacementEvent], deadline_id: str) -> list[str]:
    return [
        event.step_name if isinstance(event, EscalationRaised) else "missed"
        for event in events
        if isinstance(event, EscalationRaised | DeadlineMissed) and event.deadline_id == deadline_id
    ]


# The clocks


def test_every_clock_starts_when_the_placement_starts_soonest_first() -> None:
    assert open_ids(started()) == [
        "leaflet",
        "missing_procedures",
        "nrm_referral",
        "risk_assessment",
        "planning_meeting",
        "sw_visit:1",
        "lac_review:1",
    ]


def test_nothing_is_due_before_a_placement_starts() -> None:
    state = initial_state(PLACEMENT)
    assert due(state, ARRIVED, POLICY) == []
    assert next_wake_at(state, ARRIVED, POLICY) is None
    assert escalations_due(state, ARRIVED, POLICY) == []


def test_leaflet_is_due_24_hours_after_arrival_with_the_key_worker_responsible() -> None:
    leaflet = deadline(started(), "leaflet")
    assert leaflet.due_at == ARRIVED + timedelta(hours=24)
    assert leaflet.requirement == "R1"
    assert leaflet.responsible_role is Role.key_worker
    assert leaflet.overdue is False


def test_missing_procedures_are_due_24_hours_after_arrival() -> None:
    explained = deadline(started(), "missing_procedures")
    assert explained.due_at == ARRIVED + timedelta(hours=24)
    assert explained.requirement == "R4"


def test_risk_assessment_is_due_72_hours_after_arrival() -> None:
    assert deadline(started(), "risk_assessment").due_at == ARRIVED + timedelta(hours=72)


def test_risk_assessment_is_due_before_a_planning_meeting_that_comes_sooner() -> None:
    policy = Policy(planning_meeting_within=timedelta(hours=48))
    state = started(policy=policy)
    (assessment,) = [item for item in due(state, ARRIVED, policy) if item.kind == "risk_assessment"]
    assert assessment.due_at == ARRIVED + timedelta(hours=48)


def test_planning_meeting_is_due_7_days_after_arrival_to_the_minute() -> None:
    meeting = deadline(started(), "planning_meeting")
    assert meeting.due_at == datetime(2026, 3, 9, 18, 30, tzinfo=UTC)
    assert meeting.responsible_role is Role.social_worker


def test_planning_meeting_across_the_clocks_going_forward_is_exactly_7_days() -> None:
    # Arrival Friday 27 March 2026 10:00 GMT; British Summer Time starts on the 29th.
    arrived = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)
    meeting = deadline(started(arrived=arrived), "planning_meeting", now=arrived)
    assert meeting.due_at == datetime(2026, 4, 3, 10, 0, tzinfo=UTC)  # 11:00 on the wall clock


def test_first_review_is_due_28_days_from_the_start_of_the_day_looked_after() -> None:
    review = deadline(started(), "lac_review:1")
    # Looked after since Sunday 1 March 2026: midnight in London is 00:00 UTC in winter.
    assert review.due_at == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    assert review.requirement == "R8"


def test_first_review_in_summer_counts_from_london_midnight() -> None:
    arrived = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    state = started(arrived=arrived, looked_after_since=date(2026, 6, 1))
    # Midnight on 1 June in London is 23:00 UTC on 31 May.
    assert deadline(state, "lac_review:1", arrived).due_at == datetime(
        2026, 6, 28, 23, 0, tzinfo=UTC
    )


def test_first_review_counts_from_becoming_looked_after_not_from_arrival() -> None:
    state = started(looked_after_since=date(2026, 2, 10))
    assert deadline(state, "lac_review:1").due_at == datetime(2026, 3, 10, 0, 0, tzinfo=UTC)


def test_first_review_by_working_days_applies_when_it_is_earlier() -> None:
    # Thursday 2 April 2026, before Good Friday and Easter Monday.
    arrived = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)
    looked_after = date(2026, 4, 2)
    ten_days = Policy(first_review_working_days=10)
    twenty_days = Policy(first_review_working_days=20)

    def first_review(policy: Policy) -> datetime:
        state = started(arrived=arrived, looked_after_since=looked_after, policy=policy)
        (review,) = [item for item in due(state, arrived, policy) if item.kind == "lac_review"]
        return review.due_at

    # 10 working days skip Good Friday and Easter Monday: Monday 20 April, London midnight.
    assert first_review(ten_days) == datetime(2026, 4, 19, 23, 0, tzinfo=UTC)
    # 20 working days (5 May) are later than 28 days (30 April), so 28 days applies.
    assert first_review(twenty_days) == datetime(2026, 4, 29, 23, 0, tzinfo=UTC)


def test_second_review_is_due_3_months_after_the_first_then_every_6_months() -> None:
    first_held = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)  # 10:00 GMT
    state = hold_review(started(), first_held)
    second = deadline(state, "lac_review:2", first_held)
    assert second.due_at == datetime(2026, 6, 20, 9, 0, tzinfo=UTC)  # 10:00 BST

    second_held = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
    state = hold_review(state, second_held)
    third = deadline(state, "lac_review:3", second_held)
    assert third.due_at == datetime(2026, 12, 15, 10, 0, tzinfo=UTC)  # 10:00 GMT
    assert "lac_review:2" not in open_ids(state, second_held)


def test_first_social_worker_visit_is_due_a_week_after_arrival_then_every_6_weeks() -> None:
    state = started()
    assert deadline(state, "sw_visit:1").due_at == ARRIVED + timedelta(weeks=1)

    visited = ARRIVED + timedelta(days=5)
    command = RecordSocialWorkerVisit(
        actor=MANAGER, visited_at=visited, social_worker_reference="sw-3301", child_seen_alone=True
    )
    state = apply(state, command, now=visited)
    assert deadline(state, "sw_visit:2", visited).due_at == visited + timedelta(weeks=6)
    assert "sw_visit:1" not in open_ids(state, visited)


def test_nrm_referral_is_due_2_working_days_after_arrival_across_a_weekend() -> None:
    # Friday 6 March 2026 at 16:00: Monday is day 1, Tuesday day 2.
    arrived = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
    nrm = deadline(started(arrived=arrived, looked_after_since=date(2026, 3, 6)), "nrm_referral")
    assert nrm.due_at == datetime(2026, 3, 10, 16, 0, tzinfo=UTC)


def test_nrm_referral_due_date_skips_christmas_bank_holidays() -> None:
    # Thursday 24 December 2026: Christmas Day, the weekend and Boxing Day (observed on
    # Monday 28th) are skipped, so day 1 is Tuesday 29th and day 2 Wednesday 30th.
    arrived = datetime(2026, 12, 24, 15, 0, tzinfo=UTC)
    state = started(arrived=arrived, looked_after_since=date(2026, 12, 24))
    assert deadline(state, "nrm_referral", arrived).due_at == datetime(
        2026, 12, 30, 15, 0, tzinfo=UTC
    )


def test_nrm_referral_due_date_skips_easter() -> None:
    # Thursday 2 April 2026 at 10:00 BST: Good Friday and Easter Monday are skipped.
    arrived = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)
    state = started(arrived=arrived, looked_after_since=date(2026, 4, 2))
    assert deadline(state, "nrm_referral", arrived).due_at == datetime(2026, 4, 8, 9, 0, tzinfo=UTC)


def test_risk_review_follows_the_assessment_at_the_assessed_level() -> None:
    assessed_at = ARRIVED + timedelta(hours=20)
    state = assess(started(), assessed_at, RiskLevel.medium)
    ids = open_ids(state, assessed_at)
    assert "risk_assessment" not in ids
    review = deadline(state, "risk_review:1", assessed_at)
    assert review.due_at == assessed_at + timedelta(days=14)
    assert review.requirement == "R17"


def test_risk_review_moves_at_once_when_the_level_changes() -> None:
    assessed_at = ARRIVED + timedelta(hours=20)
    state = assess(started(), assessed_at, RiskLevel.low)
    assert deadline(state, "risk_review:1", assessed_at).due_at == assessed_at + timedelta(days=28)

    changed_at = assessed_at + timedelta(days=2)
    command = ChangeRiskLevel(actor=KEY_WORKER, to_level=RiskLevel.high, reason="car outside")
    state = apply(state, command, now=changed_at)

    ids = open_ids(state, changed_at)
    assert "risk_review:1" not in ids
    assert deadline(state, "risk_review:2", changed_at).due_at == changed_at + timedelta(days=7)


def test_a_satisfied_deadline_is_no_longer_open() -> None:
    delivered = ARRIVED + timedelta(hours=2)
    command = RecordLeafletDelivered(
        actor=KEY_WORKER,
        language="Dari",
        interpreter_reference="int-77",
        child_understanding="understood",
        delivered_at=delivered,
    )
    state = apply(started(), command, now=delivered)
    assert "leaflet" not in open_ids(state, delivered)


def test_an_ended_placement_has_no_open_deadlines() -> None:
    ended_at = ARRIVED + timedelta(hours=1)
    command = EndPlacement(actor=MANAGER, reason="moved", ended_at=ended_at)
    state = apply(started(), command, now=ended_at)
    assert due(state, ended_at, POLICY) == []
    assert next_wake_at(state, ended_at, POLICY) is None


def test_a_deadline_past_its_time_is_overdue() -> None:
    later = ARRIVED + timedelta(hours=24)
    assert deadline(started(), "leaflet", later).overdue is True
    assert deadline(started(), "leaflet", later - timedelta(seconds=1)).overdue is False


# The escalation ladder


def test_the_first_wake_up_is_the_leaflet_reminder_4_hours_before_it_is_due() -> None:
    assert next_wake_at(started(), ARRIVED, POLICY) == ARRIVED + timedelta(hours=20)
    leaflet = deadline(started(), "leaflet")
    assert (leaflet.next_step_index, leaflet.next_step_name) == (0, "reminder")
    assert leaflet.next_step_at == ARRIVED + timedelta(hours=20)


def test_leaflet_ladder_raises_each_step_once_in_order_at_its_time() -> None:
    _, events = run_clock(started(), ARRIVED, ARRIVED + timedelta(days=3))

    assert steps_for(events, "leaflet") == [
        "reminder",
        "missed",
        "duty_manager",
        "registered_manager",
    ]
    leaflet_steps = [
        (event.step_name, event.notify_role, event.occurred_at)
        for event in events
        if isinstance(event, EscalationRaised) and event.deadline_id == "leaflet"
    ]
    due_at = ARRIVED + timedelta(hours=24)
    assert leaflet_steps == [
        ("reminder", Role.key_worker, due_at - timedelta(hours=4)),
        ("duty_manager", Role.duty_manager, due_at),
        ("registered_manager", Role.registered_manager, due_at + timedelta(hours=24)),
    ]


def test_escalation_versions_follow_on_from_the_state() -> None:
    state = started()
    events = escalations_due(state, ARRIVED + timedelta(days=2), POLICY)
    assert [event.version for event in events] == list(range(3, 3 + len(events)))
    assert {event.actor.role for event in events} == {Role.system}


def test_a_step_is_never_raised_twice() -> None:
    state = started()
    later = ARRIVED + timedelta(days=2)
    state = fold(escalations_due(state, later, POLICY), state)
    assert escalations_due(state, later, POLICY) == []
    assert escalations_due(state, later + timedelta(minutes=1), POLICY) == []


def test_the_deadline_is_marked_missed_once_before_its_expiry_step() -> None:
    events = escalations_due(started(), ARRIVED + timedelta(hours=24), POLICY)
    leaflet = steps_for(events, "leaflet")
    assert leaflet == ["reminder", "missed", "duty_manager"]


def test_ladder_stops_once_the_thing_is_done() -> None:
    state, events = run_clock(started(), ARRIVED, ARRIVED + timedelta(hours=21))
    assert steps_for(events, "leaflet") == ["reminder"]

    delivered = ARRIVED + timedelta(hours=22)
    command = RecordLeafletDelivered(
        actor=KEY_WORKER,
        language="Dari",
        interpreter_reference="int-77",
        child_understanding="understood",
        delivered_at=delivered,
    )
    state = apply(state, command, now=delivered)
    _, later = run_clock(state, delivered, ARRIVED + timedelta(days=5))
    assert steps_for(later, "leaflet") == []


def test_ladder_stops_when_the_placement_ends() -> None:
    ended_at = ARRIVED + timedelta(hours=21)
    state, _ = run_clock(started(), ARRIVED, ended_at)
    state = apply(state, EndPlacement(actor=MANAGER, reason="moved", ended_at=ended_at), ended_at)
    assert escalations_due(state, ARRIVED + timedelta(days=60), POLICY) == []


def test_a_placement_recorded_late_raises_the_past_steps_in_order() -> None:
    recorded = ARRIVED + timedelta(days=2, hours=1)
    events = escalations_due(started(), recorded, POLICY)
    assert steps_for(events, "leaflet") == [
        "reminder",
        "missed",
        "duty_manager",
        "registered_manager",
    ]
    times = [event.occurred_at for event in events]
    assert set(times) == {recorded}


def test_looked_after_review_escalates_to_the_independent_reviewing_officer() -> None:
    review_due = datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    _, events = run_clock(started(), ARRIVED, review_due + timedelta(days=3))
    review_steps = [
        (event.step_name, event.notify_role)
        for event in events
        if isinstance(event, EscalationRaised) and event.deadline_id == "lac_review:1"
    ]
    assert review_steps == [
        ("reminder", Role.social_worker),
        ("duty_manager", Role.duty_manager),
        ("registered_manager", Role.registered_manager),
        ("independent_reviewing_officer", Role.independent_reviewing_officer),
    ]


def test_multi_day_clocks_remind_a_day_before() -> None:
    meeting = deadline(started(), "planning_meeting")
    assert meeting.next_step_at == meeting.due_at - timedelta(hours=24)


def test_a_new_risk_review_escalates_afresh_after_a_level_change() -> None:
    assessed_at = ARRIVED + timedelta(hours=20)
    state = assess(started(), assessed_at, RiskLevel.high)
    review_due = assessed_at + timedelta(days=7)
    state, events = run_clock(state, assessed_at, review_due + timedelta(hours=1))
    assert steps_for(events, "risk_review:1") == ["reminder", "missed", "duty_manager"]

    command = ChangeRiskLevel(actor=KEY_WORKER, to_level=RiskLevel.medium, reason="settled")
    changed_at = review_due + timedelta(hours=2)
    state = apply(state, command, now=changed_at)
    _, later = run_clock(state, changed_at, changed_at + timedelta(days=14))
    assert steps_for(later, "risk_review:2") == ["reminder", "missed", "duty_manager"]
    assert steps_for(later, "risk_review:1") == []


def test_every_step_of_every_clock_is_raised_exactly_once_over_months() -> None:
    state, events = run_clock(started(), ARRIVED, ARRIVED + timedelta(days=200))
    keys = [
        (event.deadline_id, event.step_index)
        for event in events
        if isinstance(event, EscalationRaised)
    ]
    missed = [event.deadline_id for event in events if isinstance(event, DeadlineMissed)]
    assert len(keys) == len(set(keys))
    assert len(missed) == len(set(missed))
    assert {"leaflet", "nrm_referral", "planning_meeting", "lac_review:1"} <= set(missed)
    assert [event.version for event in events] == list(range(3, state.version + 1))


# Handover (R16)


def test_handover_shows_the_current_risk_and_splits_overdue_from_upcoming() -> None:
    assessed_at = ARRIVED + timedelta(hours=30)
    state = assess(started(), assessed_at, RiskLevel.high)

    summary = handover_summary(state, assessed_at, POLICY)

    assert summary.risk_level is RiskLevel.high
    assert summary.risk_factors == ("phone calls from unknown adults",)
    assert [item.deadline_id for item in summary.overdue_deadlines] == [
        "leaflet",
        "missing_procedures",
    ]
    assert "risk_review:1" in [item.deadline_id for item in summary.open_deadlines]
    # R11: the phone is held from arrival by default; nothing restricted, nobody missing.
    assert (summary.restrictions, summary.phone_held, summary.missing) == ((), True, False)


def test_handover_survives_a_json_round_trip() -> None:
    summary = handover_summary(started(), ARRIVED + timedelta(days=2), POLICY)
    assert type(summary).model_validate_json(summary.model_dump_json()) == summary
