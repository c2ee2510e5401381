"""The Philomena Protocol profile, part 1: prepared when the child arrives and kept up to date,
so that if they go missing the police have at once what they need to find them (a
description, photographs, clothing, known associates and places). Part 2 (when and where last
seen, clothing then, circumstances) is the missing report itself (``missing``).

The profile is recorded whole each time and the latest counts; each stays in the audit trail.
Everything in it is a reference to what the case file holds (a photograph's, a person's, a
place's), never the thing itself: no image or address travels in an event. DOMAIN.md gives no
time limit for part 1, so no clock runs; the placement's page and the handover say while it
is not yet recorded.
"""

from datetime import datetime

from workflows.domain.checks import REFERENCE_MAX_CHARS, FieldChecks, given, short_text, within
from workflows.domain.commands import RecordPhilomenaProfile
from workflows.domain.errors import DomainError
from workflows.domain.protection_events import PhilomenaProfileRecorded
from workflows.domain.state import PlacementState
from workflows.domain.stream import header

# A profile is for a quick search, not the case file: a short list of each kind of reference.
MOST_REFERENCES = 20

# The profile's lists, each with what its refusals call one of its items.
REFERENCE_LISTS = {
    "photograph_references": "photograph reference",
    "clothing_references": "clothing reference",
    "known_associate_references": "known associate reference",
    "known_place_references": "known place reference",
}


def references(items: tuple[str, ...], what: str) -> tuple[str, ...]:
    """The references given (blank lines left out), each short, and not too many of them."""
    kept = tuple(item for item in (given(text) for text in items) if item is not None)
    if len(kept) > MOST_REFERENCES:
        raise DomainError(
            f"give at most {MOST_REFERENCES} of each kind of reference "
            f"(each {what} on its own line): keep the rest in the case file"
        )
    return tuple(within(item, REFERENCE_MAX_CHARS, what) for item in kept)


def record_profile(
    state: PlacementState, command: RecordPhilomenaProfile, now: datetime
) -> PhilomenaProfileRecorded:
    """The profile as recorded now (it replaces the one before), or FieldsRefused naming every
    field to correct."""
    checks = FieldChecks()
    with checks.at("physical_description"):
        description = short_text(
            command.physical_description,
            "describe the child as the police would need to recognise them "
            "(height, build, hair, marks), or give the reference of the description",
            "physical description",
        )
    kept: dict[str, tuple[str, ...]] = {}
    for field, what in REFERENCE_LISTS.items():
        with checks.at(field):
            kept[field] = references(getattr(command, field), what)
    checks.refuse_if_any()
    return PhilomenaProfileRecorded(
        **header(state, now, command.actor), physical_description=description, **kept
    )
