"""Checks shared by the decision modules: refusals in plain words.

Refusals name the field, never echo the value: a value may be a place or a person, and
refusals are logged and shown in the Temporal UI.
"""

from datetime import datetime

from workflows.domain.errors import DomainError
from workflows.domain.events import PlacementFacts

REFERENCE_MAX_CHARS = 128
SHORT_TEXT_MAX_CHARS = 500


def given(text: str | None) -> str | None:
    """The text with surrounding spaces removed, or None when nothing was really given."""
    stripped = (text or "").strip()
    return stripped or None


def require(text: str | None, refusal: str) -> str:
    value = given(text)
    if value is None:
        raise DomainError(refusal)
    return value


def within(text: str, limit: int, what: str) -> str:
    if len(text) > limit:
        raise DomainError(
            f"the {what} is longer than {limit} characters: "
            "give a short reference and keep the detail in the case file"
        )
    return text


def reference(text: str | None, refusal: str, what: str) -> str:
    """A required reference (a person, a place, a document): short, never echoed back."""
    return within(require(text, refusal), REFERENCE_MAX_CHARS, what)


def optional_reference(text: str | None, what: str) -> str | None:
    value = given(text)
    return None if value is None else within(value, REFERENCE_MAX_CHARS, what)


def short_text(text: str | None, refusal: str, what: str) -> str:
    return within(require(text, refusal), SHORT_TEXT_MAX_CHARS, what)


def happened(at: datetime, now: datetime, what: str) -> None:
    if at > now:
        raise DomainError(
            f"the time of the {what} is in the future: record it once it has happened"
        )


def not_before(at: datetime, earlier: datetime, what: str, earlier_what: str) -> None:
    """Refuse a time before one it must follow ("the return cannot be before the child was
    last seen")."""
    if at < earlier:
        raise DomainError(f"the {what} cannot be before {earlier_what}: check the date and time")


def since_arrival(at: datetime, facts: PlacementFacts, what: str) -> None:
    not_before(at, facts.arrived_at, what, "the child arrived")


def in_the_past_since_arrival(
    at: datetime, now: datetime, facts: PlacementFacts, what: str
) -> None:
    happened(at, now, what)
    since_arrival(at, facts, what)
