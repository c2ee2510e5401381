"""R1 with an interpreter only where the child needs one: asked at the start (yes unless the
first language is English), and the leaflet then needs an interpreter's reference only then;
its record says which, so nobody types a made-up reference into a statutory record."""

from __future__ import annotations

import pytest

from tests.unit.domain.builders import NOW, POLICY, leaflet, refusal, start_command, started
from workflows.domain.decide import decide
from workflows.domain.events import LeafletDelivered
from workflows.domain.state import initial_state

INTERPRETER_NEEDED = (
    "the leaflet must be explained with an interpreter: give the interpreter's reference"
)


@pytest.mark.parametrize(
    ("first_language", "needs_interpreter", "needed"),
    [
        ("Tigrinya", None, True),
        ("English", None, False),
        (" english ", None, False),
        ("Tigrinya", False, False),
        ("English", True, True),
    ],
)
def test_the_start_books_an_interpreter_only_for_a_child_who_needs_one(
    first_language: str, needs_interpreter: bool | None, needed: bool
) -> None:
    command = start_command(first_language=first_language, needs_interpreter=needs_interpreter)
    events = decide(initial_state(command.placement_id), command, now=NOW, policy=POLICY)
    assert [e.type for e in events] == ["placement_started"] + (
        ["interpreter_requested"] if needed else []
    )


def test_an_english_speakers_leaflet_needs_no_interpreter_and_says_so() -> None:
    state = started(first_language="English")
    [event] = decide(
        state,
        leaflet(language="English", interpreter_reference=None),
        now=NOW,
        policy=POLICY,
    )
    assert isinstance(event, LeafletDelivered)
    assert (event.interpreter_reference, event.interpreter_needed) == (None, False)


def test_a_child_who_needs_an_interpreter_still_cannot_go_without() -> None:
    assert refusal(started(), leaflet(interpreter_reference=None)) == INTERPRETER_NEEDED
    [event] = decide(started(), leaflet(), now=NOW, policy=POLICY)
    assert isinstance(event, LeafletDelivered)
    assert event.interpreter_needed is True


def test_an_interpreters_reference_too_long_to_be_a_reference_is_refused_in_plain_words() -> None:
    """Found by the fuzz test: it used to fail the workflow's update with a validation error."""
    too_long = "x" * 129
    for state, language in (
        (started(), "Tigrinya"),
        (started(first_language="English"), "English"),
    ):
        too_long_leaflet = leaflet(language=language, interpreter_reference=too_long)
        assert refusal(state, too_long_leaflet) == (
            "the interpreter's reference is longer than 128 characters: "
            "give a short reference and keep the detail in the case file"
        )
