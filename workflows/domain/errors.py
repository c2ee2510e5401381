"""Errors the domain raises when it refuses something.

Messages are read by residential workers, so they use plain words and say what to do next.
They are also logged and shown in the Temporal UI, so they carry opaque ids only: never a
child's name, date of birth, address, phone number or the unit's location.
"""

from collections.abc import Iterable


class DomainError(Exception):
    """A command was refused; nothing was recorded."""


class EventOutOfOrder(DomainError):
    """An event does not follow the state it is applied to (wrong version or placement)."""


class FieldsRefused(DomainError):
    """A command was refused for what its own fields say: every wrong field at once, so a
    person corrects them in one go rather than one a submit.

    ``problems``: (the command's field name, what to do in plain words), in the order the
    fields were checked; ``str()`` is the messages joined, for callers that show one line.
    """

    def __init__(self, problems: Iterable[tuple[str, str]]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(message for _, message in self.problems))
