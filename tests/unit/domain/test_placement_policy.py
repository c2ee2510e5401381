"""A placement's policy is part of its stream: the start records it, a change replaces it,
and a record from before it was recorded reads as unknown."""

from datetime import timedelta

import pytest

from tests.unit.domain.builders import ARRIVED, HOUR, MANAGER, POLICY, placement_started, started
from workflows.domain.decide import change_policy
from workflows.domain.errors import DomainError
from workflows.domain.events import PlacementEnded, PolicyChanged
from workflows.domain.policy import Policy
from workflows.domain.state import evolve, fold

SHORT_LEAFLET = Policy(leaflet_within=timedelta(hours=2))


def test_the_start_records_the_policy_the_placement_runs_under() -> None:
    state = started(policy=SHORT_LEAFLET)
    assert state.policy == SHORT_LEAFLET


def test_a_start_recorded_before_the_policy_was_reads_as_unknown() -> None:
    assert fold([placement_started()]).policy is None


def test_a_policy_change_replaces_the_started_policy() -> None:
    state = started(policy=SHORT_LEAFLET)
    [changed] = change_policy(state, now=ARRIVED + HOUR, actor=MANAGER, policy=POLICY)
    assert isinstance(changed, PolicyChanged)
    assert evolve(state, changed).policy == POLICY


def test_changing_to_the_policy_already_in_force_records_nothing() -> None:
    state = started(policy=SHORT_LEAFLET)
    assert change_policy(state, now=ARRIVED + HOUR, actor=MANAGER, policy=SHORT_LEAFLET) == []


def test_an_ended_placement_cannot_change_its_policy() -> None:
    state = started()
    ended = evolve(
        state,
        PlacementEnded(
            stream_id=state.stream_id,
            version=state.version + 1,
            occurred_at=ARRIVED + HOUR,
            actor=MANAGER,
            reason="moved",
            ended_at=ARRIVED + HOUR,
        ),
    )
    with pytest.raises(DomainError, match="has ended"):
        change_policy(ended, now=ARRIVED + 2 * HOUR, actor=MANAGER, policy=SHORT_LEAFLET)
