"""Decisions: each command is accepted with the right events, or refused in plain words."""

from datetime import UTC, date, datetime, timedelta

import pytest

from workflows.domain.commands import (
    ChangeRiskLevel,
    EndPlacement,
    PlacementCommand,
    RecordLeafletDelivered,
    RecordLookedAfterReview,
    RecordMissingProceduresExplained,
    RecordNrmReferral,
    RecordObservation,
    RecordPlanningMeeting,
    RecordRiskAssessment,
    RecordSocialWorkerVisit,
    StartPlacement,
)
from workflows.domain.common import Actor, RiskLevel, Role
from workflows.domain.decide import decide
from workflows.domain.errors import DomainError
from workflows.domain.events import (
    InterpreterRequested,
    LeafletDelivered,
    LookedAfterReviewHeld,
    MissingProceduresExplained,
    NrmReferralMade,
    ObservationRecorded,
    PlacementEnded,
    PlacementStarted,
    PlanningMeetingHeld,
    RiskAssessed,
    RiskLevelChanged,
    SocialWorkerVisited,
)
from workflows.domain.policy import Policy
from workflows.domain.state import PlacementState, fold, initial_state

POLICY = Policy()
PLACEMENT = "pl-0001"
ARRIVED = datetime(2026, 3, 2, 18, 30, tzinfo=UTC)
NOW = ARRIVED + timedelta(hours=6)
MANAGER = Actor(role=Role.registered_manager, reference="staff-017")
KEY_WORKER = Actor(role=Role.key_worker, reference="staff-021")


def start_command(**changes: object) -> StartPlacement:
    facts: dict[str, object] = {
        "actor": MANAGER,
        "placement_id": PLACEMENT,
        "case_reference": "case-88231",
        "unit_id": "unit-north-02",
        "first_language": "Tigrinya",
        "looked_after_since": date(2026, 3, 1),
        "arrived_at": ARRIVED,
        "placing_authority": "Example County Council",
        "social_worker_reference": "sw-3301",
        "initial_risk_level": RiskLevel.medium,
        "ukvi_relevant": True,
    }
    return StartPlacement.model_validate(facts | changes)


def apply(state: PlacementState, command: PlacementCommand, now: datetime = NOW) -> PlacementState:
    return fold(decide(state, command, now=now, policy=POLICY), state)


def started() -> PlacementState:
    return apply(initial_state(PLACEMENT), start_command(), now=ARRIVED)


def assessment(**changes: object) -> RecordRiskAssessment:
    fields: dict[str, object] = {
        "actor": KEY_WORKER,
        "level": RiskLevel.medium,
        "factors": ("unknown adult asked for the child by phone",),
        "child_participated": True,
        "child_views": "wants to stay and go to college",
        "assessed_at": ARRIVED + timedelta(hours=5),
    }
    return RecordRiskAssessment.model_validate(fields | changes)


def assessed() -> PlacementState:
    return apply(started(), assessment())


def refusal(state: PlacementState, command: PlacementCommand, now: datetime = NOW) -> str:
    with pytest.raises(DomainError) as refused:
        decide(state, command, now=now, policy=POLICY)
    return str(refused.value)


# Starting a placement


def test_starting_a_placement_records_the_start_and_books_an_interpreter() -> None:
    events = decide(initial_state(PLACEMENT), start_command(), now=ARRIVED, policy=POLICY)

    started_event, interpreter = events
    assert isinstance(started_event, PlacementStarted)
    assert isinstance(interpreter, InterpreterRequested)
    assert interpreter.language == "Tigrinya"
    assert [event.version for event in events] == [1, 2]
    assert {event.occurred_at for event in events} == {ARRIVED}
    assert {event.actor for event in events} == {MANAGER}
    assert started_event.arrived_at == ARRIVED


def test_starting_an_open_placement_again_is_refused() -> None:
    assert refusal(started(), start_command()) == "this placement is already open"


def test_starting_an_ended_placement_is_refused() -> None:
    ended = apply(started(), EndPlacement(actor=MANAGER, reason="moved", ended_at=NOW))
    assert "a new placement needs a new placement id" in refusal(ended, start_command())


def test_starting_with_another_placements_id_is_refused() -> None:
    message = refusal(initial_state("pl-0002"), start_command())
    assert message == "this start is for placement pl-0001, not for placement pl-0002"


def test_starting_before_the_child_has_arrived_is_refused() -> None:
    message = refusal(initial_state(PLACEMENT), start_command(), now=ARRIVED - timedelta(minutes=1))
    assert "the arrival time is in the future" in message


def test_becoming_looked_after_after_arrival_is_refused() -> None:
    command = start_command(looked_after_since=date(2026, 3, 3))
    message = refusal(initial_state(PLACEMENT), command, now=NOW)
    assert "cannot have become looked after later than the day they arrived" in message


def test_becoming_looked_after_on_the_london_day_of_arrival_is_accepted() -> None:
    # 23:30 UTC on 31 May is already 1 June in London.
    arrived = datetime(2026, 5, 31, 23, 30, tzinfo=UTC)
    command = start_command(looked_after_since=date(2026, 6, 1), arrived_at=arrived)
    events = decide(initial_state(PLACEMENT), command, now=arrived, policy=POLICY)
    assert isinstance(events[0], PlacementStarted)


def test_recording_on_a_placement_not_yet_started_is_refused() -> None:
    message = refusal(initial_state(PLACEMENT), assessment())
    assert message == "this placement has not been started: start the placement first"


def test_recording_after_the_placement_ended_is_refused() -> None:
    ended = apply(started(), EndPlacement(actor=MANAGER, reason="discharged", ended_at=NOW))
    message = refusal(ended, assessment())
    assert message == "this placement has ended: nothing more can be recorded on it"


def test_a_time_without_a_zone_for_now_is_refused() -> None:
    with pytest.raises(DomainError, match="without a time zone"):
        decide(started(), assessment(), now=datetime(2026, 3, 3, 9, 0), policy=POLICY)


# R1: the leaflet


def leaflet(**changes: object) -> RecordLeafletDelivered:
    fields: dict[str, object] = {
        "actor": KEY_WORKER,
        "language": "Tigrinya",
        "interpreter_reference": "int-5521",
        "child_understanding": "understood; asked about phones",
        "delivered_at": ARRIVED + timedelta(hours=3),
    }
    return RecordLeafletDelivered.model_validate(fields | changes)


def test_leaflet_delivered_with_an_interpreter_is_recorded() -> None:
    (event,) = decide(started(), leaflet(language=" tigrinya "), now=NOW, policy=POLICY)
    assert isinstance(event, LeafletDelivered)
    assert event.version == 3
    assert event.interpreter_reference == "int-5521"
    assert event.language == "Tigrinya"
    assert event.delivered_at == ARRIVED + timedelta(hours=3)
    assert event.occurred_at == NOW


@pytest.mark.parametrize("interpreter", [None, "", "   "])
def test_leaflet_without_interpreter_is_refused(interpreter: str | None) -> None:
    message = refusal(started(), leaflet(interpreter_reference=interpreter))
    assert message == (
        "the leaflet must be explained with an interpreter: give the interpreter's reference"
    )


def test_leaflet_in_another_language_is_refused() -> None:
    message = refusal(started(), leaflet(language="English"))
    assert message.startswith("the leaflet must be in the child's own language")


def test_leaflet_without_the_childs_understanding_is_refused() -> None:
    message = refusal(started(), leaflet(child_understanding=" "))
    assert message == "record how well the child understood the leaflet"


def test_leaflet_dated_in_the_future_is_refused() -> None:
    message = refusal(started(), leaflet(delivered_at=NOW + timedelta(minutes=5)))
    assert message == (
        "the time of the leaflet delivery is in the future: record it once it has happened"
    )


def test_leaflet_dated_before_arrival_is_refused() -> None:
    message = refusal(started(), leaflet(delivered_at=ARRIVED - timedelta(hours=1)))
    assert message.startswith("the leaflet delivery cannot be before the child arrived")


def test_leaflet_recorded_twice_is_refused() -> None:
    state = apply(started(), leaflet())
    assert refusal(state, leaflet()) == "the leaflet delivery is already recorded"


# R4: the missing procedures


def test_missing_procedures_explained_is_recorded_with_optional_interpreter() -> None:
    command = RecordMissingProceduresExplained(actor=KEY_WORKER, explained_at=NOW)
    (event,) = decide(started(), command, now=NOW, policy=POLICY)
    assert isinstance(event, MissingProceduresExplained)
    assert event.interpreter_reference is None
    assert event.explained_at == NOW


def test_missing_procedures_explained_twice_is_refused() -> None:
    command = RecordMissingProceduresExplained(actor=KEY_WORKER, explained_at=NOW)
    state = apply(started(), command)
    assert refusal(state, command) == "telling the child the missing procedures is already recorded"


def test_missing_procedures_explained_in_the_future_is_refused() -> None:
    command = RecordMissingProceduresExplained(
        actor=KEY_WORKER, explained_at=NOW + timedelta(hours=1)
    )
    assert "is in the future" in refusal(started(), command)


# R8, R9, R17: the risk assessment


def test_risk_assessment_with_the_childs_views_is_recorded() -> None:
    (event,) = decide(started(), assessment(), now=NOW, policy=POLICY)
    assert isinstance(event, RiskAssessed)
    assert event.child_views == "wants to stay and go to college"
    assert event.child_participated is True
    assert event.factors == ("unknown adult asked for the child by phone",)


def test_risk_assessment_at_a_new_level_also_records_the_level_change() -> None:
    events = decide(started(), assessment(level=RiskLevel.high), now=NOW, policy=POLICY)

    change, assessed_event = events
    assert isinstance(change, RiskLevelChanged)
    assert (change.from_level, change.to_level) == (RiskLevel.medium, RiskLevel.high)
    assert change.reason == "risk assessment"
    assert isinstance(assessed_event, RiskAssessed)
    assert [event.version for event in events] == [3, 4]


@pytest.mark.parametrize("views", [None, "", "  "])
def test_risk_assessment_without_the_childs_views_is_refused(views: str | None) -> None:
    message = refusal(started(), assessment(child_views=views))
    assert message.startswith("the child's views must be recorded with the risk assessment")


def test_risk_assessment_without_risk_factors_is_refused() -> None:
    message = refusal(started(), assessment(factors=(" ",)))
    assert message == "list at least one risk factor in the risk assessment"


def test_risk_assessment_dated_in_the_future_is_refused() -> None:
    message = refusal(started(), assessment(assessed_at=NOW + timedelta(seconds=1)))
    assert "the time of the risk assessment is in the future" in message


def test_risk_assessment_older_than_the_latest_one_is_refused() -> None:
    state = apply(assessed(), assessment(assessed_at=NOW))
    message = refusal(state, assessment(assessed_at=NOW - timedelta(hours=2)))
    assert message.startswith("this assessment is older than the latest risk assessment")


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


# R17: risk level changes


def test_risk_level_change_is_recorded_from_the_current_level() -> None:
    command = ChangeRiskLevel(actor=KEY_WORKER, to_level=RiskLevel.high, reason="car seen waiting")
    (event,) = decide(started(), command, now=NOW, policy=POLICY)
    assert isinstance(event, RiskLevelChanged)
    assert (event.from_level, event.to_level) == (RiskLevel.medium, RiskLevel.high)
    assert event.reason == "car seen waiting"


def test_risk_level_change_to_the_same_level_is_refused() -> None:
    command = ChangeRiskLevel(actor=KEY_WORKER, to_level=RiskLevel.medium, reason="no change")
    assert refusal(started(), command) == "the risk level is already medium"


def test_risk_level_change_without_a_reason_is_refused() -> None:
    command = ChangeRiskLevel(actor=KEY_WORKER, to_level=RiskLevel.low)
    assert refusal(started(), command) == "give the reason the risk level changed"


# R7, R15: observations


def observation(**changes: object) -> RecordObservation:
    fields: dict[str, object] = {
        "actor": Actor(role=Role.residential_worker, reference="staff-033"),
        "category": "suspicious_activity",
        "note_reference_or_text": "log book p.14: car waiting outside at 22:10",
        "observed_at": NOW,
    }
    return RecordObservation.model_validate(fields | changes)


def test_observation_is_recorded() -> None:
    (event,) = decide(started(), observation(), now=NOW, policy=POLICY)
    assert isinstance(event, ObservationRecorded)
    assert event.category == "suspicious_activity"


def test_observation_without_a_kind_is_refused() -> None:
    assert refusal(started(), observation(category="")) == "say what kind of observation this is"


def test_observation_without_text_is_refused() -> None:
    message = refusal(started(), observation(note_reference_or_text="  "))
    assert message == "write the observation or give its log book reference"


def test_observation_too_long_is_refused_and_pointed_to_the_log_book() -> None:
    message = refusal(started(), observation(note_reference_or_text="x" * 501))
    assert "put the detail in the log book" in message


def test_observation_in_the_future_is_refused() -> None:
    message = refusal(started(), observation(observed_at=NOW + timedelta(hours=1)))
    assert "the time of the observation is in the future" in message


# Ending the placement


def test_ending_the_placement_is_recorded() -> None:
    command = EndPlacement(actor=MANAGER, reason="turned_18", ended_at=NOW)
    (event,) = decide(started(), command, now=NOW, policy=POLICY)
    assert isinstance(event, PlacementEnded)
    assert event.reason == "turned_18"


def test_ending_before_the_child_arrived_is_refused() -> None:
    command = EndPlacement(actor=MANAGER, reason="moved", ended_at=ARRIVED - timedelta(hours=1))
    assert refusal(started(), command).startswith("the placement's end cannot be before")


def test_ending_in_the_future_is_refused() -> None:
    command = EndPlacement(actor=MANAGER, reason="moved", ended_at=NOW + timedelta(days=1))
    assert "the time of the placement's end is in the future" in refusal(started(), command)


def test_refusal_messages_carry_no_personal_details() -> None:
    # Only opaque ids may appear: the language, authority and free text never do.
    messages = [
        refusal(started(), leaflet(language="English")),
        refusal(started(), assessment(child_views=None)),
        refusal(initial_state("pl-0002"), start_command()),
    ]
    for message in messages:
        assert "Tigrinya" not in message
        assert "English" not in message
        assert "Example County Council" not in message
