"""What a workflow tells its EventStream (``workflows.stream``): the domain it runs
(``StreamRules``), when a run continues as new (``RunLimits``), whether events are stored a few
at a time (``Batching``), and a report that rides with each append (``ReportsWithAppends``).
Called from workflow code only."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.changes import HISTORY_BYTES_LIMIT, has_change
    from workflows.domain.common import Role
    from workflows.domain.notices import Notice
    from workflows.domain.stream import EventCatalog, StreamEvent
    from workflows.domain.unit.membership import PlacementReport


class StreamState(Protocol):
    @property
    def stream_id(self) -> str: ...


S = TypeVar("S", bound=StreamState)
E = TypeVar("E", bound=StreamEvent)


S_contra = TypeVar("S_contra", contravariant=True)
E_co = TypeVar("E_co", covariant=True)


class NotificationFailedDecision(Protocol[S_contra, E_co]):
    """The domain's decision recording a notice given up on (nothing if already recorded)."""

    def __call__(
        self,
        state: S_contra,
        /,
        *,
        now: datetime,
        idempotency_key: str,
        recipient: Role,
        purpose: str,
        about_version: int,
    ) -> Sequence[E_co]: ...


@dataclass(frozen=True)
class StreamRules(Generic[S, E]):
    """The domain a stream runs: its fold, its events' catalog (their stored form), the
    notices each owes (given the state after it), and how it records a notice given up on."""

    evolve: Callable[[S, E], S]
    catalog: EventCatalog[E]
    notices_for: Callable[[S, E], list[Notice]]
    notification_failed: NotificationFailedDecision[S, E]


@dataclass(frozen=True)
class RunLimits:
    """When a run continues as new, besides the server's suggestion: after this many domain
    events, this long a history, or once the history has grown by this many bytes (whichever
    the stream sets).

    The bytes matter most: the SDK core keeps what a cached run's history carries (activity
    inputs, signals, updates) for the life of the run. Each action recorded added 9.0 KiB of
    the worker's memory to a cached placement, and a placement-year was 0.9 MB of history
    (``bench/LEVERS.md``)."""

    events_per_run: int | None = None
    history_length: int | None = None
    history_bytes: int | None = None


def history_bytes_limit(configured: int | None) -> int | None:
    """The history size this run continues as new at (its input's); none for a run begun
    before the limit. Asked in the run's first task, after ``changes.begin_run``."""
    return configured if has_change(HISTORY_BYTES_LIMIT) else None


@dataclass(frozen=True)
class Batching:
    """Store events a few at a time: at the latest ``within`` after the oldest was decided, at
    once when ``size`` are waiting or one owes a notice. Without it every event is stored at
    once."""

    within: timedelta
    size: int


@dataclass(frozen=True)
class ReportsWithAppends:
    """A report that rides with each append (a placement's to its unit): ``take`` gives the
    one owed, if any, as a batch is sent; ``missed`` hands it back when the events were stored
    but the report did not reach the unit, for the workflow to send by itself."""

    take: Callable[[], PlacementReport | None]
    missed: Callable[[], None]
