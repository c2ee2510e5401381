"""Escalation ladders: each step raised once, in order, at its time, and never after the
thing is done or the placement ends."""

from datetime import UTC, datetime, timedelta

from tests.unit.domain.builders import (
    ARRIVED,
    KEY_WORKER,
    MANAGER,
    POLICY,
    apply,
    assess,
    deadline,
    leaflet,
    run_clock,
    started,
    step_names,
)
from workflows.domain.commands import ChangeRiskLevel, EndPlacement
from workflows.domain.common import RiskLevel, Role
from workflows.domain.deadlines import next_wake_at
from workflows.domain.decide import escalations_due
from workflows.domain.events import DeadlineMissed, EscalationRaised
from workflows.domain.state import fold


def test_the_first_wake_up_is_the_leaflet_reminder_4_hours_before_it_is_due() -> None:
    assert next_wake_at(started(), ARRIVED, POLICY) == ARRIVED + timedelta(hours=20)
    leaflet = deadline(started(), "leaflet")
    assert (leaflet.next_step_index, leaflet.next_step_name) == (0, "reminder")
    assert leaflet.next_step_at == ARRIVED + timedelta(hours=20)


def test_leaflet_ladder_raises_each_step_once_in_order_at_its_time() -> None:
    _, events = run_clock(started(), ARRIVED, ARRIVED + timedelta(days=3))

    assert step_names(events, "leaflet") == [
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
    leaflet = step_names(events, "leaflet")
    assert leaflet == ["reminder", "missed", "duty_manager"]


def test_ladder_stops_once_the_thing_is_done() -> None:
    state, events = run_clock(started(), ARRIVED, ARRIVED + timedelta(hours=21))
    assert step_names(events, "leaflet") == ["reminder"]

    delivered = ARRIVED + timedelta(hours=22)
    command = leaflet(delivered_at=delivered)
    state = apply(state, command, now=delivered)
    _, later = run_clock(state, delivered, ARRIVED + timedelta(days=5))
    assert step_names(later, "leaflet") == []


def test_ladder_stops_when_the_placement_ends() -> None:
    ended_at = ARRIVED + timedelta(hours=21)
    state, _ = run_clock(started(), ARRIVED, ended_at)
    state = apply(state, EndPlacement(actor=MANAGER, reason="moved", ended_at=ended_at), ended_at)
    assert escalations_due(state, ARRIVED + timedelta(days=60), POLICY) == []


def test_a_placement_recorded_late_raises_the_past_steps_in_order() -> None:
    recorded = ARRIVED + timedelta(days=2, hours=1)
    events = escalations_due(started(), recorded, POLICY)
    assert step_names(events, "leaflet") == [
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
    assert step_names(events, "risk_review:1") == ["reminder", "missed", "duty_manager"]

    command = ChangeRiskLevel(actor=KEY_WORKER, to_level=RiskLevel.medium, reason="settled")
    changed_at = review_due + timedelta(hours=2)
    state = apply(state, command, now=changed_at)
    _, later = run_clock(state, changed_at, changed_at + timedelta(days=14))
    assert step_names(later, "risk_review:2") == ["reminder", "missed", "duty_manager"]
    assert step_names(later, "risk_review:1") == []


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
