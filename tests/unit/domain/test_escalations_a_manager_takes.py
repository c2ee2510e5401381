"""Escalations a manager takes: "I am dealing with this" is recorded once, by a Duty or
Registered Manager, for a step that was raised; a step to a worker is a reminder."""

from datetime import timedelta

import pytest

from tests.unit.domain.builders import (
    ARRIVED,
    DUTY_MANAGER,
    KEY_WORKER,
    MANAGER,
    apply,
    decided,
    refusal,
    run_clock,
    started,
)
from workflows.domain.commands import AcknowledgeEscalation, EndPlacement
from workflows.domain.common import Actor, Role
from workflows.domain.escalations import is_reminder
from workflows.domain.events import (
    PLACEMENT_EVENTS,
    EscalationAcknowledged,
    EscalationRaised,
)
from workflows.domain.state import AcknowledgedEscalation, PlacementState, fold

# The leaflet is due a day after arrival: its Duty Manager step (index 1) is raised then.
LEAFLET_DUE = ARRIVED + timedelta(hours=24)
AFTER_IT = LEAFLET_DUE + timedelta(minutes=20)


def escalated() -> PlacementState:
    """The leaflet's reminder and its Duty Manager step raised; nobody has taken either."""
    state, _ = run_clock(started(), ARRIVED, LEAFLET_DUE)
    assert state.escalation_raised("leaflet", 1)
    return state


def take(
    actor: Actor = DUTY_MANAGER, deadline_id: str = "leaflet", step_index: int = 1
) -> AcknowledgeEscalation:
    return AcknowledgeEscalation(actor=actor, deadline_id=deadline_id, step_index=step_index)


def test_a_duty_manager_takes_an_escalation_and_is_recorded_as_dealing_with_it() -> None:
    state = escalated()
    [event] = decided(state, take(), AFTER_IT)

    assert isinstance(event, EscalationAcknowledged)
    assert (event.deadline_id, event.step_index) == ("leaflet", 1)
    assert (event.actor, event.occurred_at, event.version) == (
        DUTY_MANAGER,
        AFTER_IT,
        state.version + 1,
    )
    after = fold([event], state)
    assert after.escalation_acknowledgement("leaflet", 1) == AcknowledgedEscalation(
        deadline_id="leaflet",
        step_index=1,
        acknowledged_by=DUTY_MANAGER,
        escalation_acknowledged_at=AFTER_IT,
    )
    # Taking an escalation does not do the thing: the deadline's clock runs on.
    assert after.leaflet_delivered_at is None
    assert after.escalation_acknowledgement("leaflet", 0) is None


def test_a_second_acknowledgement_is_refused_saying_who_is_dealing_with_it() -> None:
    state = apply(escalated(), take(), AFTER_IT)
    other_manager = Actor(role=Role.registered_manager, reference="staff-044")

    for again in (take(), take(other_manager)):
        assert refusal(state, again, AFTER_IT + timedelta(minutes=1)) == (
            "this escalation is already being dealt with by the duty manager staff-009: "
            "nothing more to record"
        )


def test_the_registered_manager_takes_a_later_step_of_the_same_deadline() -> None:
    state, _ = run_clock(started(), ARRIVED, LEAFLET_DUE + timedelta(hours=24))
    state = apply(state, take(), LEAFLET_DUE + timedelta(hours=25))
    state = apply(state, take(MANAGER, step_index=2), LEAFLET_DUE + timedelta(hours=25))

    assert [(t.step_index, t.acknowledged_by.role) for t in state.escalations_acknowledged] == [
        (1, Role.duty_manager),
        (2, Role.registered_manager),
    ]


@pytest.mark.parametrize(
    ("deadline_id", "step_index"),
    [("leaflet", 2), ("risk_assessment", 1), ("no-such-deadline", 0), ("leaflet", -1)],
)
def test_an_escalation_not_raised_cannot_be_acknowledged(deadline_id: str, step_index: int) -> None:
    assert refusal(escalated(), take(deadline_id=deadline_id, step_index=step_index)) == (
        "no escalation has been raised for that deadline and step on this placement: "
        "there is nothing to acknowledge yet"
    )


def test_nothing_is_raised_before_its_time_so_nothing_can_be_taken_on_arrival() -> None:
    assert "nothing to acknowledge yet" in refusal(started(), take(), ARRIVED)


@pytest.mark.parametrize(
    "role",
    [
        Role.key_worker,
        Role.residential_worker,
        Role.social_worker,
        Role.independent_reviewing_officer,
        Role.auditor,
    ],
)
def test_only_a_duty_or_registered_manager_takes_an_escalation(role: Role) -> None:
    someone = Actor(role=role, reference="staff-077")
    assert refusal(escalated(), take(someone), AFTER_IT) == (
        "only a Duty Manager or a Registered Manager can take an escalation: "
        "tell the manager on duty"
    )


def test_an_escalation_of_an_ended_placement_cannot_be_taken() -> None:
    ended = apply(
        escalated(), EndPlacement(actor=MANAGER, reason="moved", ended_at=AFTER_IT), AFTER_IT
    )
    assert "this placement has ended" in refusal(ended, take(), AFTER_IT)


def test_the_deadline_id_is_read_without_surrounding_spaces() -> None:
    [event] = decided(escalated(), take(deadline_id="  leaflet "), AFTER_IT)
    assert isinstance(event, EscalationAcknowledged)
    assert event.deadline_id == "leaflet"


def test_the_acknowledgement_is_stored_by_its_type_name_and_read_back() -> None:
    [event] = decided(escalated(), take(), AFTER_IT)
    type_name, schema_version, payload = PLACEMENT_EVENTS.to_stored(event)

    assert (type_name, schema_version) == ("escalation_acknowledged", 1)
    assert PLACEMENT_EVENTS.from_stored(type_name, schema_version, payload) == event


def test_a_state_carried_over_from_before_acknowledgements_reads_as_none_taken() -> None:
    saved = escalated().model_dump(mode="json")
    del saved["escalations_acknowledged"]

    assert PlacementState.model_validate(saved).escalations_acknowledged == ()


def test_steps_to_workers_are_reminders_and_steps_to_managers_and_beyond_escalations() -> None:
    """The social worker's own clocks remind them a day ahead, as the key worker's do."""
    _, raised = run_clock(started(), ARRIVED, LEAFLET_DUE + timedelta(hours=24))
    leaflet = [e for e in raised if isinstance(e, EscalationRaised) and e.deadline_id == "leaflet"]

    assert [(e.notify_role, is_reminder(e.notify_role)) for e in leaflet] == [
        (Role.key_worker, True),
        (Role.duty_manager, False),
        (Role.registered_manager, False),
    ]
    assert is_reminder(Role.residential_worker)
    assert is_reminder(Role.social_worker)
    assert not is_reminder(Role.placing_authority)
    assert not is_reminder("independent_reviewing_officer")
    assert is_reminder(KEY_WORKER.role.value)
