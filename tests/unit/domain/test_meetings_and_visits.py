"""Decisions on meetings and visits: the planning meeting (R8), looked-after reviews (R8,
reg 33), the social worker's visits (reg 28) and the NRM referral."""

from datetime import UTC, datetime, timedelta

from tests.unit.domain.builders import (
    ARRIVED,
    NOW,
    POLICY,
    apply,
    assessed,
    refusal,
    started,
)
from workflows.domain.commands import (
    RecordLookedAfterReview,
    RecordNrmReferral,
    RecordPlanningMeeting,
    RecordSocialWorkerVisit,
)
from workflows.domain.common import Actor, Role
from workflows.domain.decide import decide
from workflows.domain.events import (
    LookedAfterReviewHeld,
    NrmReferralMade,
    PlanningMeetingHeld,
    SocialWorkerVisited,
)

# R8: the planning meeting


def meeting(**changes: object) -> RecordPlanningMeeting:
    fields: dict[str, object] = {
        "actor": Actor(role=Role.social_worker, reference="sw-3301"),
        "held_at": NOW,
        "young_person_present": True,
        "child_views": "wants to learn English",
    }
    return RecordPlanningMeeting.model_validate(fields | changes)


def test_planning_meeting_with_the_young_person_is_recorded() -> None:
    (event,) = decide(assessed(), meeting(), now=NOW, policy=POLICY)
    assert isinstance(event, PlanningMeetingHeld)
    assert event.young_person_present is True
    assert event.absence_reason is None


def test_planning_meeting_without_the_young_person_but_with_a_reason_is_recorded() -> None:
    command = meeting(young_person_present=False, absence_reason="unwell, seen by GP")
    (event,) = decide(assessed(), command, now=NOW, policy=POLICY)
    assert isinstance(event, PlanningMeetingHeld)
    assert event.absence_reason == "unwell, seen by GP"


def test_planning_meeting_without_the_young_person_and_no_reason_is_refused() -> None:
    message = refusal(assessed(), meeting(young_person_present=False))
    assert message == (
        "the young person should be at the planning meeting: give the reason they were not"
    )


def test_planning_meeting_with_the_young_person_and_an_absence_reason_is_refused() -> None:
    message = refusal(assessed(), meeting(absence_reason="was at school"))
    assert "leave the absence reason empty" in message


def test_planning_meeting_before_any_risk_assessment_is_refused() -> None:
    message = refusal(started(), meeting())
    assert message == "record the risk assessment first: it is discussed at the planning meeting"


def test_planning_meeting_dated_before_the_risk_assessment_is_refused() -> None:
    message = refusal(assessed(), meeting(held_at=ARRIVED + timedelta(hours=1)))
    assert message.startswith("the planning meeting cannot be before the risk assessment")


def test_planning_meeting_without_the_childs_views_is_refused() -> None:
    message = refusal(assessed(), meeting(child_views=None))
    assert message == "the child's views must be recorded with the planning meeting"


def test_planning_meeting_recorded_twice_is_refused() -> None:
    state = apply(assessed(), meeting())
    assert refusal(state, meeting()) == "the first planning meeting is already recorded"


def test_planning_meeting_dated_in_the_future_is_refused() -> None:
    message = refusal(assessed(), meeting(held_at=NOW + timedelta(days=1)))
    assert "the time of the planning meeting is in the future" in message


# R8, reg 33: looked-after reviews


def review(**changes: object) -> RecordLookedAfterReview:
    fields: dict[str, object] = {
        "actor": Actor(role=Role.independent_reviewing_officer, reference="iro-12"),
        "held_at": NOW,
        "chaired_by_iro_reference": "iro-12",
        "child_views": "feels safe here",
    }
    return RecordLookedAfterReview.model_validate(fields | changes)


def test_looked_after_review_is_recorded() -> None:
    (event,) = decide(started(), review(), now=NOW, policy=POLICY)
    assert isinstance(event, LookedAfterReviewHeld)
    assert event.chaired_by_iro_reference == "iro-12"


def test_review_held_since_becoming_looked_after_but_before_arrival_is_accepted() -> None:
    before_arrival = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    (event,) = decide(started(), review(held_at=before_arrival), now=NOW, policy=POLICY)
    assert isinstance(event, LookedAfterReviewHeld)


def test_review_before_the_child_became_looked_after_is_refused() -> None:
    message = refusal(started(), review(held_at=datetime(2026, 2, 28, 12, 0, tzinfo=UTC)))
    assert message == "a looked-after review cannot be before the child became looked after"


def test_review_without_an_independent_reviewing_officer_is_refused() -> None:
    message = refusal(started(), review(chaired_by_iro_reference=""))
    assert "give the officer's reference" in message


def test_review_without_the_childs_views_is_refused() -> None:
    message = refusal(started(), review(child_views=None))
    assert message == "the child's views must be recorded with the looked-after review"


def test_review_earlier_than_the_last_one_recorded_is_refused() -> None:
    state = apply(started(), review())
    message = refusal(state, review(held_at=NOW - timedelta(hours=1)))
    assert message.startswith("reviews must be recorded in the order they were held")


def test_review_dated_in_the_future_is_refused() -> None:
    assert "is in the future" in refusal(started(), review(held_at=NOW + timedelta(hours=1)))


# reg 28: social worker visits


def visit(**changes: object) -> RecordSocialWorkerVisit:
    fields: dict[str, object] = {
        "actor": Actor(role=Role.social_worker, reference="sw-3301"),
        "visited_at": NOW,
        "social_worker_reference": "sw-3301",
        "child_seen_alone": True,
    }
    return RecordSocialWorkerVisit.model_validate(fields | changes)


def test_social_worker_visit_is_recorded() -> None:
    (event,) = decide(started(), visit(), now=NOW, policy=POLICY)
    assert isinstance(event, SocialWorkerVisited)
    assert event.child_seen_alone is True


def test_social_worker_visit_without_the_social_workers_reference_is_refused() -> None:
    message = refusal(started(), visit(social_worker_reference=None))
    assert message == "give the reference of the social worker who visited"


def test_social_worker_visit_before_arrival_is_refused() -> None:
    message = refusal(started(), visit(visited_at=ARRIVED - timedelta(days=1)))
    assert message.startswith("the social worker's visit cannot be before the child arrived")


def test_social_worker_visit_earlier_than_the_last_one_is_refused() -> None:
    state = apply(started(), visit())
    message = refusal(state, visit(visited_at=NOW - timedelta(minutes=1)))
    assert message.startswith("visits must be recorded in the order they happened")


def test_social_worker_visit_in_the_future_is_refused() -> None:
    assert "is in the future" in refusal(started(), visit(visited_at=NOW + timedelta(hours=2)))


# The National Referral Mechanism


def referral(**changes: object) -> RecordNrmReferral:
    fields: dict[str, object] = {
        "actor": Actor(role=Role.social_worker, reference="sw-3301"),
        "referred_at": NOW,
        "referral_reference": "nrm-2026-0042",
    }
    return RecordNrmReferral.model_validate(fields | changes)


def test_nrm_referral_is_recorded() -> None:
    (event,) = decide(started(), referral(), now=NOW, policy=POLICY)
    assert isinstance(event, NrmReferralMade)
    assert event.referral_reference == "nrm-2026-0042"


def test_nrm_referral_made_before_arrival_counts() -> None:
    command = referral(referred_at=ARRIVED - timedelta(days=2))
    (event,) = decide(started(), command, now=NOW, policy=POLICY)
    assert isinstance(event, NrmReferralMade)


def test_nrm_referral_without_its_reference_is_refused() -> None:
    assert refusal(started(), referral(referral_reference=" ")) == "give the NRM referral reference"


def test_nrm_referral_recorded_twice_is_refused() -> None:
    state = apply(started(), referral())
    assert refusal(state, referral()) == "the NRM referral is already recorded"


def test_nrm_referral_in_the_future_is_refused() -> None:
    message = refusal(started(), referral(referred_at=NOW + timedelta(hours=1)))
    assert "the time of the NRM referral is in the future" in message
