"""Break-glass on the child's own stream: recorded with its reason and end, told to the child's
Registered Manager, and refused without a reason, beyond 4 hours or once the placement ended."""

from __future__ import annotations

import pytest

from tests.unit.domain.builders import DUTY_MANAGER, HOUR, NOW, POLICY, started
from workflows.domain.commands import EndPlacement, OpenBreakGlass
from workflows.domain.common import Role
from workflows.domain.decide import decide, open_break_glass
from workflows.domain.errors import DomainError
from workflows.domain.events import BreakGlassOpened
from workflows.domain.notices import notices_for
from workflows.domain.state import evolve


def test_break_glass_is_recorded_with_its_reason_and_told_to_the_registered_manager() -> None:
    state = started()
    command = OpenBreakGlass(
        actor=DUTY_MANAGER, reason="  covering nights: police called  ", until=NOW + 4 * HOUR
    )
    [event] = open_break_glass(state, command, now=NOW)
    assert isinstance(event, BreakGlassOpened)
    assert (event.reason, event.until, event.actor) == (
        "covering nights: police called",
        NOW + 4 * HOUR,
        DUTY_MANAGER,
    )
    after = evolve(state, event)
    assert after.version == state.version + 1
    assert [(n.recipient, n.purpose) for n in notices_for(after, event)] == [
        (Role.registered_manager, "break_glass_opened")
    ]


@pytest.mark.parametrize(
    ("reason", "until", "refusal"),
    [
        ("  ", NOW + HOUR, "give the reason"),
        ("cover", NOW + 4 * HOUR + HOUR / 60, "at most 4 hours"),
        ("cover", NOW, "at most 4 hours"),
    ],
)
def test_break_glass_without_a_reason_or_beyond_four_hours_is_refused(
    reason: str, until: object, refusal: str
) -> None:
    command = OpenBreakGlass.model_validate(
        {"actor": DUTY_MANAGER, "reason": reason, "until": until}
    )
    with pytest.raises(DomainError, match=refusal):
        open_break_glass(started(), command, now=NOW)


def test_break_glass_on_an_ended_placement_is_refused() -> None:
    state = started()
    [ended] = decide(
        state,
        EndPlacement(actor=DUTY_MANAGER, reason="moved", ended_at=NOW),
        now=NOW,
        policy=POLICY,
    )
    command = OpenBreakGlass(actor=DUTY_MANAGER, reason="cover", until=NOW + HOUR)
    with pytest.raises(DomainError, match="has ended"):
        open_break_glass(evolve(state, ended), command, now=NOW)
