"""A notice given up on after every retry, alike for a placement and a unit: recorded once in
the stream, so nobody assumes it went out, and told to the Duty Manager (R3)."""

from datetime import datetime
from typing import Protocol, TypedDict, TypeVar

from workflows.domain.common import CLOCK_ACTOR, Role, utc
from workflows.domain.events import NotificationFailed
from workflows.domain.stream import StreamPosition, header

# The purpose of the Duty Manager's notice that another notice failed, in every stream.
NOTIFICATION_FAILED = "notification_failed"


class GivenUp(TypedDict):
    """What was given up on: the notice's key, to whom and why, and the event it was about."""

    now: datetime
    idempotency_key: str
    recipient: Role
    purpose: str
    about_version: int


class FailedNotices(StreamPosition, Protocol):
    @property
    def failed_notifications(self) -> tuple[str, ...]: ...


FailedT = TypeVar("FailedT", bound=NotificationFailed)


def record_given_up(
    state: FailedNotices, event_class: type[FailedT], given_up: GivenUp
) -> list[FailedT]:
    """The event recording the notice given up on (by the clock); nothing if already recorded."""
    if given_up["idempotency_key"] in state.failed_notifications:
        return []
    return [
        event_class(
            **header(state, utc(given_up["now"]), CLOCK_ACTOR),
            idempotency_key=given_up["idempotency_key"],
            recipient=given_up["recipient"],
            purpose=given_up["purpose"],
            about_version=given_up["about_version"],
        )
    ]


def with_failed(failed: tuple[str, ...], event: NotificationFailed) -> tuple[str, ...]:
    """The keys of the notices given up on, sorted, once `event` is folded in."""
    return tuple(sorted({*failed, event.idempotency_key}))
