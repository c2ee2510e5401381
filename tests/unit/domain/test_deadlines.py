"""Statutory clocks and escalation ladders, as a residential worker would see them."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.unit.domain.builders import (
    ARRIVED,
    KEY_WORKER,
    MANAGER,
    PLACEMENT,
    POLICY,
    apply,
    assess,
    deadline,
    in_utc,
    leaflet,
    started,
)
from workflows.domain.commands import (
    ChangeRiskLevel,
    EndPlacement,
    RecordLookedAfterReview,
    RecordSocialWorkerVisit,
)
from workflows.domain.common import RiskLevel, Role
from workflows.domain.deadlines import due, next_wake_at
from workflows.domain.decide import escalations_due
from workflows.domain.policy import Policy
from workflows.domain.state import PlacementState, initial_state
from workflows.domain.summary import handover_summary


def open_ids(state: PlacementState, now: datetime = ARRIVED) -> list[str]:
    return [item.deadline_id for item in due(state, now, POLICY)]


def hold_review(state: PlacementState, at: datetime) -> PlacementState:
    command = RecordLookedAfterReview(
        actor=MANAGER, held_at=at, chaired_by_iro_reference="iro-12", child_views="settled"
    )
    return apply(state, command, now=at)


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
    meeting = deadline(started(arrived_at=arrived), "planning_meeting", now=arrived)
    assert meeting.due_at == datetime(2026, 4, 3, 10, 0, tzinfo=UTC)  # 11:00 on the wall clock


def test_first_review_is_due_28_days_from_the_start_of_the_day_looked_after() -> None:
    review = deadline(started(), "lac_review:1")
    # Looked after since Sunday 1 March 2026: midnight in London is 00:00 UTC in winter.
    assert review.due_at == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    assert review.requirement == "R8"


# A child who arrived (UTC) and became looked after that day: when a deadline falls on the
# London calendar (midnight in London, working days, the clocks changing).
ON_THE_LONDON_CALENDAR: dict[str, tuple[str, str, str]] = {
    # Midnight on 1 June in London is 23:00 UTC on 31 May.
    "first review in summer": ("2026-06-01 09:00", "lac_review:1", "2026-06-28 23:00"),
    # Looked after since 1 October 2026 (BST); the clocks go back on Sunday 25 October, so
    # the review is due at the start of 29 October on the London clock, which is GMT by then.
    "first review as the clocks go back": ("2026-10-01 09:00", "lac_review:1", "2026-10-29 00:00"),
    # Friday 6 March 2026 at 16:00: Monday is day 1, Tuesday day 2.
    "NRM referral across a weekend": ("2026-03-06 16:00", "nrm_referral", "2026-03-10 16:00"),
    # Thursday 24 December 2026: Christmas Day, the weekend and Boxing Day (observed on
    # Monday 28th) are skipped, so day 1 is Tuesday 29th and day 2 Wednesday 30th.
    "NRM referral over Christmas": ("2026-12-24 15:00", "nrm_referral", "2026-12-30 15:00"),
    # Thursday 2 April 2026 at 10:00 BST: Good Friday and Easter Monday are skipped.
    "NRM referral over Easter": ("2026-04-02 09:00", "nrm_referral", "2026-04-08 09:00"),
}


@pytest.mark.parametrize("case", ON_THE_LONDON_CALENDAR)
def test_a_deadline_falls_where_the_london_calendar_puts_it(case: str) -> None:
    arrival, deadline_id, due_at = ON_THE_LONDON_CALENDAR[case]
    arrived = in_utc(arrival)
    state = started(arrived_at=arrived, looked_after_since=arrived.date())
    assert deadline(state, deadline_id, arrived).due_at == in_utc(due_at)


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
        state = started(arrived_at=arrived, looked_after_since=looked_after, policy=policy)
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
    command = leaflet(delivered_at=delivered)
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
