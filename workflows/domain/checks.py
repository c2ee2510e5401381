"""Checks shared by the decision modules: refusals in plain words.

Refusals name the field, never echo the value: a value may be a place or a person, and
refusals are logged and shown in the Temporal UI.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from workflows.domain.errors import DomainError, FieldsRefused
from workflows.domain.events import PlacementFacts

REFERENCE_MAX_CHARS = 128
SHORT_TEXT_MAX_CHARS = 500


class FieldChecks:
    """Every field refusal of one command, so a person is told them all at once: each field's
    checks run inside ``at(field)``, and ``refuse_if_any()`` refuses them together
    (FieldsRefused). A refusal about the placement's state is raised before, as it is.

    A value assigned inside ``at`` is read only after ``refuse_if_any()``, which raises when
    any check failed, so a refused field's value is never used.
    """

    def __init__(self) -> None:
        self._problems: list[tuple[str, str]] = []

    @contextmanager
    def at(self, field: str) -> Iterator[None]:
        """Checks of the command's ``field``: the first refusal among them is kept for it."""
        try:
            yield
        except DomainError as refusal:
            self._problems.append((field, str(refusal)))

    def refuse_if_any(self) -> None:
        if self._problems:
            raise FieldsRefused(self._problems)


def not_yet_recorded(recorded_at: datetime | None, what: str) -> None:
    """Refuse recording again what is recorded once (``what``: "the NRM referral")."""
    if recorded_at is not None:
        raise DomainError(f"{what} is already recorded")


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


def in_order(at: datetime, recorded: Sequence[datetime], what: str, happened_how: str) -> None:
    """Refuse a ``what`` ("visit") earlier than the last one ``recorded``."""
    if recorded and at < recorded[-1]:
        raise DomainError(
            f"{what}s must be recorded in the order they {happened_how}: "
            f"this one is earlier than the last {what} recorded"
        )


def since_arrival(at: datetime, facts: PlacementFacts, what: str) -> None:
    not_before(at, facts.arrived_at, what, "the child arrived")


def in_the_past_since_arrival(
    at: datetime, now: datetime, facts: PlacementFacts, what: str
) -> None:
    happened(at, now, what)
    since_arrival(at, facts, what)
