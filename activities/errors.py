"""The activities' own errors, and how each one reaches a workflow.

A workflow sees an ``ApplicationError`` whose ``type`` is one of ``ErrorType`` and which is
non-retryable where a retry cannot help (the batch itself is wrong). Messages name opaque ids
and versions only: never a child's name, date of birth, address, phone or the unit's location,
and never a driver's message, which may quote the values it choked on.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from temporalio.exceptions import ApplicationError

from safeside.errors import SafesideError


class ErrorType(StrEnum):
    VERSION_GAP = "VersionGap"
    VERSION_CONFLICT = "VersionConflict"
    INVALID_BATCH = "InvalidBatch"
    CONCURRENT_APPEND = "ConcurrentAppend"
    STORE_UNAVAILABLE = "StoreUnavailable"
    NOTIFICATION_NOT_FOUND = "NotificationNotFound"
    DELIVERY_FAILED = "DeliveryFailed"
    UNREADABLE_STREAM = "UnreadableStream"


class ActivityError(SafesideError):
    """Each kind says whether a retry may cure it; its ``ErrorType`` is its class name."""

    error_type: ClassVar[ErrorType]
    retryable: ClassVar[bool]

    def __init_subclass__(cls, *, retryable: bool, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.error_type = ErrorType(cls.__name__)
        cls.retryable = retryable

    def to_application_error(self) -> ApplicationError:
        return ApplicationError(
            str(self), type=self.error_type.value, non_retryable=not self.retryable
        )


class VersionGap(ActivityError, retryable=False):
    """The batch does not start right after the last stored event, or skips a version."""


class VersionConflict(ActivityError, retryable=False):
    """A different event is already stored at one of the batch's versions."""


class InvalidBatch(ActivityError, retryable=False):
    """The batch is malformed: an event of another stream, an unreadable event, a
    notification for an event that does not exist."""


class ConcurrentAppend(ActivityError, retryable=True):
    """Another append to the same stream won a race; a retry reads what it wrote."""


class StoreUnavailable(ActivityError, retryable=True):
    """PostgreSQL could not be reached or failed for a reason a retry may cure."""


class NotificationNotFound(ActivityError, retryable=False):
    """No outbox row has the key: a retry would not find one either."""


class DeliveryFailed(ActivityError, retryable=True):
    """The channel did not take the message; the attempt is recorded on the outbox row."""


class UnreadableStream(ActivityError, retryable=True):
    """A stored event the domain cannot fold, so the stream's workflow cannot be started again
    from it until someone looks (retryable: a placement keeps trying to reach its unit)."""


class ChannelError(SafesideError):
    """Raised by a channel that could not hand a message over. The message says what failed
    (a status code, an exception type), never the content or the recipient's address."""


class ChannelConfigError(SafesideError):
    """The notification settings name a channel that cannot work as configured: raised when
    the worker starts, never at a send."""
