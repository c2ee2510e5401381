"""Missing from care (R4, R5): the return, the Return Home Interview and the risk review it
brings forward, and the police's acknowledgement of the episode."""

from datetime import timedelta

from tests.unit.domain.builders import (
    DUTY_MANAGER,
    HOUR,
    KEY_WORKER,
    NOW,
    PLACE,
    POLICY,
    apply,
    decided,
    missing,
    record_return,
    refusal,
    report_missing,
    run_clock,
    started,
    steps_for,
)
from tests.unit.domain.missing_builders import DAY, interview, returned
from workflows.domain.commands import RecordPoliceAcknowledgement, RecordRiskAssessment
from workflows.domain.common import RiskLevel, Role
from workflows.domain.deadlines import due
from workflows.domain.notices import notices_for
from workflows.domain.protection_events import (
    ChildReturned,
    PoliceAcknowledged,
    ReturnInterviewHeld,
)
from workflows.domain.state import PlacementState
from workflows.domain.summary import handover_summary

# The return


def test_a_return_closes_the_episode() -> None:
    (event,) = decided(missing(), record_return(), now=NOW + 10 * HOUR)
    assert isinstance(event, ChildReturned)
    assert event.episode_id == "pl-0001-M1"
    assert returned().open_episode() is None
    assert handover_summary(returned(), NOW + 11 * HOUR, POLICY).missing is False


def test_a_return_without_an_open_episode_is_refused() -> None:
    assert refusal(started(), record_return(), now=NOW + 10 * HOUR) == (
        "the child is not recorded as missing or away: there is nothing to close"
    )


def test_a_return_before_the_last_sighting_is_refused() -> None:
    command = record_return(returned_at=NOW - 3 * HOUR)
    assert refusal(missing(), command) == (
        "the return cannot be before the child was last seen: check the date and time"
    )


def test_a_return_needs_who_found_the_child_and_where() -> None:
    assert refusal(
        missing(), record_return(found_by_reference=None), now=NOW + 10 * HOUR
    ).startswith("say who found the child or brought them back")
    assert refusal(missing(), record_return(where_found_reference=" "), now=NOW + 10 * HOUR) == (
        "say where the child was found (a reference to the place, for the police)"
    )


# The Return Home Interview (72 hours) and the risk review (R17)


def test_the_return_interview_is_due_72_hours_after_the_return_with_a_ladder() -> None:
    returned_at = NOW + 10 * HOUR
    (rhi,) = [d for d in due(returned(), returned_at, POLICY) if d.kind == "return_interview"]
    assert (rhi.deadline_id, rhi.due_at) == ("return_interview:1", returned_at + 72 * HOUR)
    assert rhi.responsible_role is Role.social_worker
    _, events = run_clock(returned(), returned_at, returned_at + 5 * DAY)
    assert steps_for(events, "return_interview:1") == [
        ("reminder", Role.social_worker),
        ("missed", None),
        ("duty_manager", Role.duty_manager),
        ("registered_manager", Role.registered_manager),
    ]


def test_the_return_interview_stops_its_clock() -> None:
    (event,) = decided(returned(), interview(), now=NOW + 31 * HOUR)
    assert isinstance(event, ReturnInterviewHeld)
    state = apply(returned(), interview(), now=NOW + 31 * HOUR)
    assert "return_interview:1" not in [d.deadline_id for d in due(state, NOW, POLICY)]


def test_the_return_interview_refusals_say_what_to_do() -> None:
    later = NOW + 31 * HOUR
    assert refusal(returned(), interview(episode_id="pl-0001-M9"), now=later) == (
        "this placement has no missing episode with that id: check the episode id"
    )
    assert refusal(missing(), interview(), now=later) == (
        "the child has not returned from this episode: record the return first"
    )
    done = apply(returned(), interview(), now=later)
    assert refusal(done, interview(), now=later) == (
        "the return interview for this episode is already recorded"
    )
    assert refusal(returned(), interview(held_at=NOW + 9 * HOUR), now=later) == (
        "the return interview cannot be before the child returned: check the date and time"
    )
    assert refusal(returned(), interview(interviewer_reference=None), now=later) == (
        "give the reference of the independent person who held the return interview"
    )
    assert refusal(returned(), interview(child_views=""), now=later).startswith(
        "the child's views must be recorded with the return interview"
    )


def test_an_unknown_episode_id_is_not_repeated_in_the_refusal() -> None:
    message = refusal(returned(), interview(episode_id=PLACE), now=NOW + 31 * HOUR)
    assert PLACE not in message


def assessed(state: PlacementState, at: object) -> PlacementState:
    command = RecordRiskAssessment(
        actor=KEY_WORKER,
        level=RiskLevel.medium,
        factors=("adult waiting outside",),
        child_participated=True,
        child_views="scared of the man",
        assessed_at=at,
    )
    return apply(state, command, now=at)  # type: ignore[arg-type]


def test_a_return_brings_the_risk_review_forward_and_reminds_the_key_worker_at_once() -> None:
    state = assessed(started(), NOW)
    (review,) = [d for d in due(state, NOW, POLICY) if d.kind == "risk_review"]
    assert review.due_at == NOW + timedelta(days=14)
    state = apply(state, report_missing(last_seen_at=NOW + HOUR), now=NOW + 2 * HOUR)
    returned_recorded = NOW + 12 * HOUR
    state = apply(state, record_return(), now=returned_recorded)

    (review,) = [d for d in due(state, returned_recorded, POLICY) if d.kind == "risk_review"]
    assert review.due_at == returned_recorded + POLICY.risk_review_after_concern_within
    _, events = run_clock(state, returned_recorded, returned_recorded + HOUR)
    assert steps_for(events, review.deadline_id) == [("reminder", Role.key_worker)]


def test_a_risk_assessment_after_the_return_answers_the_brought_forward_review() -> None:
    state = apply(assessed(started(), NOW), report_missing(last_seen_at=NOW), now=NOW + HOUR)
    state = apply(state, record_return(), now=NOW + 12 * HOUR)
    state = assessed(state, NOW + 13 * HOUR)
    assert state.risk_review_requested_at is None
    (review,) = [d for d in due(state, NOW + 13 * HOUR, POLICY) if d.kind == "risk_review"]
    assert review.due_at == NOW + 13 * HOUR + timedelta(days=14)


def test_before_the_first_assessment_a_return_brings_the_assessment_forward() -> None:
    state = apply(missing(), record_return(returned_at=NOW + HOUR), now=NOW + 2 * HOUR)
    (assessment,) = [d for d in due(state, NOW, POLICY) if d.kind == "risk_assessment"]
    assert assessment.due_at == NOW + 2 * HOUR + POLICY.risk_review_after_concern_within


# The police's acknowledgement

CAD = "CAD-4411-02MAR"


def police_acknowledgement(**changes: object) -> RecordPoliceAcknowledgement:
    fields: dict[str, object] = {
        "actor": DUTY_MANAGER,
        "episode_id": "pl-0001-M1",
        "police_acknowledged_at": NOW + HOUR,
        "police_reference": CAD,
    }
    return RecordPoliceAcknowledgement.model_validate(fields | changes)


def test_the_police_s_acknowledgement_and_reference_are_kept_with_the_episode() -> None:
    (event,) = decided(missing(), police_acknowledgement(), now=NOW + 2 * HOUR)
    assert isinstance(event, PoliceAcknowledged)
    assert (event.episode_id, event.police_reference) == ("pl-0001-M1", CAD)
    state = apply(missing(), police_acknowledgement(), now=NOW + 2 * HOUR)
    (episode,) = state.missing_episodes
    assert (episode.police_acknowledged_at, episode.police_reference) == (NOW + HOUR, CAD)
    assert episode.open  # the police knowing does not bring the child back
    # The police gave it: nobody is sent a notice, and the watch on the episode keeps running.
    assert notices_for(state, event) == []
    assert [d.kind for d in due(state, NOW + 2 * HOUR, POLICY)] == [
        d.kind for d in due(missing(), NOW + 2 * HOUR, POLICY)
    ]


def test_the_police_may_acknowledge_an_episode_after_the_child_is_back() -> None:
    later = NOW + 12 * HOUR
    state = apply(returned(), police_acknowledgement(police_acknowledged_at=later), now=later)
    (episode,) = state.missing_episodes
    assert (episode.returned_at, episode.police_acknowledged_at) == (NOW + 10 * HOUR, later)


def test_the_police_s_acknowledgement_refusals_say_what_to_do() -> None:
    later = NOW + 2 * HOUR
    assert refusal(missing(), police_acknowledgement(episode_id="pl-0001-M9"), now=later) == (
        "this placement has no missing episode with that id: check the episode id"
    )
    assert refusal(
        missing(), police_acknowledgement(police_acknowledged_at=later + HOUR), now=later
    ) == (
        "the time of the police's acknowledgement is in the future: record it once it has happened"
    )
    assert refusal(
        missing(), police_acknowledgement(police_acknowledged_at=NOW - 3 * HOUR), now=later
    ) == (
        "the police's acknowledgement cannot be before the child was last seen: "
        "check the date and time"
    )
    for empty in (None, "", "   "):
        assert refusal(missing(), police_acknowledgement(police_reference=empty), now=later) == (
            "give the crime or CAD reference the police gave for this episode"
        )
    done = apply(missing(), police_acknowledgement(), now=later)
    again = police_acknowledgement(police_reference="CRIME-77")
    assert refusal(done, again, now=later) == (
        "the police's acknowledgement of this episode is already recorded"
    )


def test_a_police_reference_is_never_repeated_in_a_refusal() -> None:
    done = apply(missing(), police_acknowledgement(), now=NOW + 2 * HOUR)
    message = refusal(done, police_acknowledgement(), now=NOW + 2 * HOUR)
    assert CAD not in message
    too_long = police_acknowledgement(police_reference=CAD * 20)
    assert CAD not in refusal(missing(), too_long, now=NOW + 2 * HOUR)
