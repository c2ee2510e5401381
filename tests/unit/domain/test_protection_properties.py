"""Properties of a child's protection that hold for any sequence of commands and time:
at most one open missing episode, the phone released only in writing, visits only once
verified."""

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.unit.domain.command_plans import FULL_STORY, Plan, protection_steps, run, steps
from workflows.domain.common import (
    Role,
)
from workflows.domain.protection_events import (
    ChildReturned,
    MissingReported,
    PhoneReleaseConfirmed,
    VisitorVerified,
    VisitRecorded,
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(steps, protection_steps))
@example(FULL_STORY)
def test_at_most_one_missing_episode_is_open_at_a_time(plan: Plan) -> None:
    _, history = run(plan)
    open_episodes = 0
    for event in history:
        if isinstance(event, MissingReported):
            open_episodes += 1
        elif isinstance(event, ChildReturned):
            open_episodes -= 1
        assert 0 <= open_episodes <= 1


@settings(max_examples=200, deadline=None)
@given(st.one_of(steps, protection_steps))
@example(FULL_STORY)
def test_the_phone_is_released_only_by_the_social_workers_written_confirmation(plan: Plan) -> None:
    state, history = run(plan)
    releases = [event for event in history if isinstance(event, PhoneReleaseConfirmed)]
    assert all(
        event.actor.role is Role.social_worker and event.confirmation_reference.strip()
        for event in releases
    )
    assert len(releases) <= 1
    assert state.phone_held is (not releases)


@settings(max_examples=200, deadline=None)
@given(st.one_of(steps, protection_steps))
@example(FULL_STORY)
def test_no_visit_is_recorded_without_the_visitor_verified_first(plan: Plan) -> None:
    _, history = run(plan)
    verified: set[str] = set()
    for event in history:
        if isinstance(event, VisitorVerified):
            assert event.actor.role is Role.social_worker
            verified.add(event.visitor_reference.casefold())
        if isinstance(event, VisitRecorded):
            assert event.visitor_reference.casefold() in verified
