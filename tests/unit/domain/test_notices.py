"""Who is told of what (R3, reg 41): the people a worker expects to hear from them."""

from tests.unit.domain.builders import (
    ARRIVED,
    MANAGER,
    escalation_raised,
    event_header,
    placement_started,
)
from workflows.domain.common import RiskLevel, Role
from workflows.domain.decide import notification_failed
from workflows.domain.events import (
    DeadlineMissed,
    InterpreterRequested,
    LeafletDelivered,
    ObservationRecorded,
    PlacementEnded,
    PlacementStarted,
    RiskLevelChanged,
)
from workflows.domain.failed_notices import GivenUp
from workflows.domain.notices import Notice, notices_for
from workflows.domain.state import evolve, initial_state

AT = ARRIVED
ACTOR = MANAGER
STATE = initial_state("pl-0001")


def header(version: int = 1) -> dict[str, object]:
    return event_header(version, actor=ACTOR)


def started_event(ukvi_relevant: bool) -> PlacementStarted:
    return placement_started(
        actor=ACTOR,
        first_language="Amharic",
        initial_risk_level=RiskLevel.high,
        ukvi_relevant=ukvi_relevant,
    )


def recipients(notices: list[Notice]) -> set[Role]:
    return {notice.recipient for notice in notices}


def test_arrival_is_shared_with_police_social_worker_and_both_authorities() -> None:
    notices = notices_for(STATE, started_event(ukvi_relevant=False))
    assert recipients(notices) == {
        Role.police,
        Role.social_worker,
        Role.placing_authority,
        Role.host_local_authority,
    }
    assert {notice.purpose for notice in notices} == {"placement_started"}


def test_arrival_is_shared_with_ukvi_only_where_relevant() -> None:
    assert Role.ukvi in recipients(notices_for(STATE, started_event(ukvi_relevant=True)))
    assert Role.ukvi not in recipients(notices_for(STATE, started_event(ukvi_relevant=False)))


def test_the_interpreting_service_is_asked_for_an_interpreter() -> None:
    notices = notices_for(STATE, InterpreterRequested(**header(2), language="Amharic"))
    assert notices == [Notice(recipient=Role.interpreting_service, purpose="interpreter_requested")]


def test_an_escalation_goes_to_the_role_it_names() -> None:
    event = escalation_raised(3, actor=ACTOR)
    assert notices_for(STATE, event) == [Notice(recipient=Role.duty_manager, purpose="escalation")]


def test_a_missed_deadline_is_reported_to_the_social_worker() -> None:
    event = DeadlineMissed(**header(3), deadline_id="lac_review:1", kind="lac_review", due_at=AT)
    assert notices_for(STATE, event) == [
        Notice(recipient=Role.social_worker, purpose="deadline_missed")
    ]


def test_a_rise_to_high_risk_is_shared_with_police_and_social_worker() -> None:
    event = RiskLevelChanged(
        **header(3), from_level=RiskLevel.medium, to_level=RiskLevel.high, reason="car outside"
    )
    notices = notices_for(STATE, event)
    assert recipients(notices) == {Role.police, Role.social_worker}
    assert {notice.purpose for notice in notices} == {"risk_level_raised_to_high"}


def test_a_fall_in_risk_notifies_nobody() -> None:
    event = RiskLevelChanged(
        **header(3), from_level=RiskLevel.high, to_level=RiskLevel.medium, reason="settled"
    )
    assert notices_for(STATE, event) == []


def test_the_end_of_a_placement_is_shared_with_both_authorities_and_police() -> None:
    event = PlacementEnded(**header(3), reason="moved", ended_at=AT)
    assert recipients(notices_for(STATE, event)) == {
        Role.placing_authority,
        Role.host_local_authority,
        Role.police,
    }


def test_routine_records_notify_nobody() -> None:
    leaflet = LeafletDelivered(
        **header(3),
        language="Amharic",
        interpreter_reference="int-1",
        child_understanding="understood",
        delivered_at=AT,
    )
    observation = ObservationRecorded(
        **header(4), category="phone", note_reference_or_text="log p.2", observed_at=AT
    )
    assert notices_for(STATE, leaflet) == []
    assert notices_for(STATE, observation) == []


def test_a_notification_given_up_on_is_recorded_once_and_told_to_the_duty_manager() -> None:
    state = evolve(STATE, started_event(ukvi_relevant=False))
    given_up: GivenUp = {
        "now": AT,
        "idempotency_key": "pl-0001:1:police",
        "recipient": Role.police,
        "purpose": "placement_started",
        "about_version": 1,
    }
    events = notification_failed(state, **given_up)
    assert [event.type for event in events] == ["notification_failed"]
    after = evolve(state, events[0])
    assert after.failed_notifications == ("pl-0001:1:police",)
    assert notices_for(after, events[0]) == [
        Notice(recipient=Role.duty_manager, purpose="notification_failed")
    ]
    again = notification_failed(after, **given_up)
    assert again == []
