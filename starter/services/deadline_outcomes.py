"""Whether each statutory deadline was met on time, late, or is still overdue: a pure fold of
one placement's events through the domain's own clocks (``running_clocks``).

No projection keeps a deadline once it is met (``open_deadlines`` holds the running ones), and
a ``DeadlineMissed`` event says only that one was late, so the outcome of every deadline is
worked out from the audit trail itself: a clock that stops running at an event was met then,
on time if that was no later than it was due. A watch (a missing episode) is no deadline, and
the clocks a placement's end stops were not met, so neither is counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from workflows.domain.common import DeadlineKind
from workflows.domain.deadlines import RunningClock, running_clocks
from workflows.domain.events import PlacementEvent
from workflows.domain.policy import Policy
from workflows.domain.state import PlacementState, PlacementStatus, evolve, initial_state

Outcome = Literal["on_time", "late", "overdue"]


@dataclass(frozen=True)
class DeadlineOutcome:
    deadline_id: str
    kind: DeadlineKind
    due_at: datetime
    outcome: Outcome


def _clocks(state: PlacementState, policy: Policy) -> dict[str, RunningClock]:
    return {
        clock.deadline_id: clock
        for clock in running_clocks(state, state.policy or policy)
        if clock.kind is not DeadlineKind.missing_episode
    }


def deadline_outcomes(
    stream_id: str, events: Iterable[PlacementEvent], policy: Policy, now: datetime
) -> list[DeadlineOutcome]:
    """Every deadline of the placement that was met, or is overdue at ``now``; ``policy`` is
    the one in force, for a placement that recorded none."""
    state = initial_state(stream_id)
    running = _clocks(state, policy)
    outcomes: list[DeadlineOutcome] = []
    for event in events:
        state = evolve(state, event)
        after = _clocks(state, policy)
        if state.status is PlacementStatus.open:
            for deadline_id, clock in running.items():
                if deadline_id not in after:
                    met: Outcome = "on_time" if event.occurred_at <= clock.due_at else "late"
                    outcomes.append(DeadlineOutcome(deadline_id, clock.kind, clock.due_at, met))
        running = after
    outcomes.extend(
        DeadlineOutcome(clock.deadline_id, clock.kind, clock.due_at, "overdue")
        for clock in running.values()
        if clock.due_at < now
    )
    return outcomes
