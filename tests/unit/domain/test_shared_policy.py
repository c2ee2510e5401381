"""Equal policies are one object in a worker: what a workflow reads from its payloads (its input,
its carried state) holds the process's shared policy, not a copy of its own. A different policy
stays itself."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from safeside.contracts.workflows import PlacementInput
from tests.support.placements import start_command
from workflows.domain.decide import decide
from workflows.domain.policy import Policy
from workflows.domain.state import PlacementState, evolve, initial_state


def _started(placement_input: PlacementInput) -> PlacementState:
    state = initial_state(placement_input.placement_id)
    assert placement_input.start is not None
    now = datetime(2026, 11, 30, 9, tzinfo=UTC)
    for event in decide(state, placement_input.start, now=now, policy=placement_input.policy):
        state = evolve(state, event)
    return state


def _read(placement_id: str, policy: Policy) -> PlacementInput:
    sent = PlacementInput(
        placement_id=placement_id,
        policy=policy,
        start=start_command(placement_id, datetime(2026, 11, 30, 8, tzinfo=UTC)),
    )
    return PlacementInput.model_validate_json(sent.model_dump_json())


def test_placements_read_under_equal_policies_share_one_policy_object() -> None:
    first, second = _read("PL-shared-1", Policy()), _read("PL-shared-2", Policy())

    assert first.policy is second.policy
    state = PlacementState.model_validate_json(_started(first).model_dump_json())
    assert state.policy is first.policy


def test_a_different_policy_is_kept_apart() -> None:
    shorter = Policy(leaflet_within=timedelta(hours=6))

    read = _read("PL-shared-3", shorter)

    assert read.policy == shorter
    assert read.policy is not _read("PL-shared-4", Policy()).policy
    assert read.policy.leaflet_within == timedelta(hours=6)


def test_a_refused_policy_is_refused_every_time_it_is_read() -> None:
    sent = json.loads(_read("PL-shared-5", Policy()).model_dump_json())
    sent["policy"]["leaflet_within"] = "-PT1H"

    for _ in range(2):
        with pytest.raises(ValidationError, match="leaflet_within"):
            PlacementInput.model_validate_json(json.dumps(sent))
