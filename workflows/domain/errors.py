"""Errors the domain raises when it refuses something.

Messages are read by residential workers, so they use plain words and say what to do next.
They are also logged and shown in the Temporal UI, so they carry opaque ids only: never a
child's name, date of birth, address, phone number or the unit's location.
"""


class DomainError(Exception):
    """A command was refused; nothing was recorded."""


class EventOutOfOrder(DomainError):
    """An event does not follow the state it is applied to (wrong version or placement)."""
