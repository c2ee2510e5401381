"""Properties that hold for any sequence of commands and passing time."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.domain import (
    Actor,
    ChangeRiskLevel,
    DeadlineMissed,
    DomainError,
    EndPlacement,
    EscalationRaised,
    PlacementCommand,
    PlacementEvent,
    PlacementState,
    Policy,
    RecordLeafletDelivered,
    RecordLookedAfterReview,
    RecordMissingProceduresExplained,
    RecordNrmReferral,
    RecordObservation,
    RecordPlanningMeeting,
    RecordRiskAssessment,
    RecordSocialWorkerVisit,
    RiskLevel,
    Role,
    StartPlacement,
    decide,
    escalations_due,
    event_from_stored,
    event_to_stored,
    evolve,
    fold,
    initial_state,
    next_wake_at,
)

POLICY = Policy()
ARRIVED = datetime(2026, 12, 21, 17, 0, tzinfo=UTC)
ACTOR = Actor(role=Role.key_worker, reference="staff-021")
START = StartPlacement(
    actor=Actor(role=Role.registered_manager, reference="staff-017"),
    placement_id="pl-0001",
    case_reference="case-88231",
    unit_id="unit-north-02",
    first_language="Pashto",
    looked_after_since=date(2026, 12, 1),
    arrived_at=ARRIVED,
    placing_authority="Example County Council",
    social_worker_reference="sw-3301",
    initial_risk_level=RiskLevel.medium,
    ukvi_relevant=True,
)

levels = st.sampled_from(list(RiskLevel))
maybe_text = st.sampled_from([None, "", "  ", "given"])


def command_at(kind: str, at: datetime, level: RiskLevel, text: str | None) -> PlacementCommand:
    """A command of `kind`, sometimes complete and sometimes with `text` left out."""
    if kind == "leaflet":
        return RecordLeafletDelivered(
            actor=ACTOR,
            language="Pashto",
            interpreter_reference=text,
            child_understanding="understood",
            delivered_at=at,
        )
    if kind == "procedures":
        return RecordMissingProceduresExplained(actor=ACTOR, explained_at=at)
    if kind == "assessment":
        return RecordRiskAssessment(
            actor=ACTOR,
            level=level,
            factors=("phone contact",),
            child_participated=True,
            child_views=text,
            assessed_at=at,
        )
    if kind == "meeting":
        return RecordPlanningMeeting(
            actor=ACTOR,
            held_at=at,
            young_person_present=text is not None,
            absence_reason=None,
            child_views="wants to stay",
        )
    if kind == "review":
        return RecordLookedAfterReview(
            actor=ACTOR, held_at=at, chaired_by_iro_reference=text, child_views="settled"
        )
    if kind == "visit":
        return RecordSocialWorkerVisit(
            actor=ACTOR, visited_at=at, social_worker_reference=text, child_seen_alone=True
        )
    if kind == "nrm":
        return RecordNrmReferral(actor=ACTOR, referred_at=at, referral_reference=text)
    if kind == "level":
        return ChangeRiskLevel(actor=ACTOR, to_level=level, reason=text)
    if kind == "observation":
        return RecordObservation(
            actor=ACTOR, category="phone", note_reference_or_text="log p.1", observed_at=at
        )
    if kind == "end":
        return EndPlacement(actor=ACTOR, reason="moved", ended_at=at)
    return START


steps = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=24 * 20),  # hours that pass first
        st.sampled_from(
            [
                "leaflet",
                "procedures",
                "assessment",
                "meeting",
                "review",
                "visit",
                "nrm",
                "level",
                "observation",
                "end",
                "start",
            ]
        ),
        st.integers(min_value=0, max_value=12),  # how many hours ago it happened
        levels,
        maybe_text,
    ),
    max_size=25,
)


def run(
    plan: list[tuple[int, str, int, RiskLevel, str | None]],
) -> tuple[PlacementState, list[PlacementEvent]]:
    """Drive a placement as the workflow does: raise what is due, then try the command."""
    state = initial_state("pl-0001")
    now = ARRIVED
    history = decide(state, START, now=now, policy=POLICY)
    state = fold(history, state)
    for hours, kind, ago, level, text in plan:
        now += timedelta(hours=hours)
        clock_events = escalations_due(state, now, POLICY)
        state = fold(clock_events, state)
        history.extend(clock_events)
        assert escalations_due(state, now, POLICY) == []
        wake = next_wake_at(state, now, POLICY)
        assert wake is None or wake > now
        try:
            new_events = decide(
                state,
                command_at(kind, now - timedelta(hours=ago), level, text),
                now=now,
                policy=POLICY,
            )
        except DomainError:
            continue
        # The workflow applies decided events one by one; replay (fold) must agree with it.
        for event in new_events:
            state = evolve(state, event)
        history.extend(new_events)
    return state, history


@settings(max_examples=200, deadline=None)
@given(steps)
def test_versions_are_contiguous_from_one(
    plan: list[tuple[int, str, int, RiskLevel, str | None]],
) -> None:
    state, history = run(plan)
    assert [event.version for event in history] == list(range(1, state.version + 1))


@settings(max_examples=200, deadline=None)
@given(steps)
def test_replaying_the_events_rebuilds_the_state(
    plan: list[tuple[int, str, int, RiskLevel, str | None]],
) -> None:
    state, history = run(plan)
    assert fold(history) == state
    assert PlacementState.model_validate_json(state.model_dump_json()) == state


@settings(max_examples=200, deadline=None)
@given(steps)
def test_no_escalation_step_is_raised_twice_and_no_deadline_missed_twice(
    plan: list[tuple[int, str, int, RiskLevel, str | None]],
) -> None:
    _, history = run(plan)
    steps_raised = Counter(
        (event.deadline_id, event.step_index)
        for event in history
        if isinstance(event, EscalationRaised)
    )
    missed = Counter(event.deadline_id for event in history if isinstance(event, DeadlineMissed))
    assert all(count == 1 for count in steps_raised.values())
    assert all(count == 1 for count in missed.values())


@settings(max_examples=100, deadline=None)
@given(steps)
def test_every_event_survives_storage(
    plan: list[tuple[int, str, int, RiskLevel, str | None]],
) -> None:
    _, history = run(plan)
    for event in history:
        assert event_from_stored(*event_to_stored(event)) == event


@settings(max_examples=100, deadline=None)
@given(steps)
def test_nothing_happens_after_the_placement_ends(
    plan: list[tuple[int, str, int, RiskLevel, str | None]],
) -> None:
    _, history = run(plan)
    ended = [index for index, event in enumerate(history) if event.type == "placement_ended"]
    if ended:
        assert ended == [len(history) - 1]
