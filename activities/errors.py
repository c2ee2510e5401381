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


class ActivityError(SafesideError):
    error_type: ClassVar[ErrorType]
    retryable: ClassVar[bool]

    def to_application_error(self) -> ApplicationError:
        return ApplicationError(
            str(self), type=self.error_type.value, non_retryable=not self.retryable
        )


class VersionGap(ActivityError):
    """The batch does not start right after the last stored event, or skips a version."""

    error_type = ErrorType.VERSION_GAP
    retryable = False


class VersionConflict(ActivityError):
    """A different event is already stored at one of the batch's versions."""

    error_type = ErrorType.VERSION_CONFLICT
    retryable = False


class InvalidBatch(ActivityError):
    """The batch is malformed: an event of another stream, an unreadable event, a
    notification for an event that does not exist."""

    error_type = ErrorType.INVALID_BATCH
    retryable = False


class ConcurrentAppend(ActivityError):
    """Another append to the same stream won a race; a retry reads what it wrote."""

    error_type = ErrorType.CONCURRENT_APPEND
    retryable = True


class StoreUnavailable(ActivityError):
    """PostgreSQL could not be reached or failed for a reason a retry may cure."""

    error_type = ErrorType.STORE_UNAVAILABLE
    retryable = True


class NotificationNotFound(ActivityError):
    error_type = ErrorType.NOTIFICATION_NOT_FOUND
    retryable = False


class DeliveryFailed(ActivityError):
    """The channel did not take the message; the attempt is recorded on the outbox row."""

    error_type = ErrorType.DELIVERY_FAILED
    retryable = True


class ChannelError(SafesideError):
    """Raised by a channel that could not hand a message over. The message says what failed
    (a status code, an exception type), never the content or the recipient's address."""
