"""Properties of a child's protection that hold for any sequence of commands and time:
at most one open missing episode, the phone released only in writing, visits only once
verified."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.unit.domain.command_plans import (
    FULL_STORY,
    PROTECTION_INVARIANTS,
    Plan,
    protection_steps,
    run,
    steps,
)


@pytest.mark.parametrize("invariant", PROTECTION_INVARIANTS)
@settings(max_examples=200, deadline=None)
@given(st.one_of(steps, protection_steps))
@example(FULL_STORY)
def test_a_child_s_protection_holds_for_any_commands_at_any_time(
    invariant: str, plan: Plan
) -> None:
    state, history = run(plan)
    PROTECTION_INVARIANTS[invariant](state, history)
