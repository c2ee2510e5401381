"""What PostgreSQL said last, so that staff can go on reading while it does not answer.

Every request still asks PostgreSQL afresh (a revocation counts at once) and keeps the answer
here. While PostgreSQL does not answer, its last answer is used for the grace
(``SAFESIDE_OUTAGE_GRACE_MINUTES``), never longer, and never where there is none: then the
request fails as it always did (503, saying what to do). The memory is this process's alone and
is never written anywhere; it holds staff references, roles, session hashes and opaque ids,
never anything about a child.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import timedelta
from typing import Generic, TypeVar

from safeside.db import ANSWER_WITHIN, UNREACHABLE
from safeside.log import get_logger, server_unreachable

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

log = get_logger(__name__)

# Answers kept at most (the oldest go first): staff, sessions and tokens in use.
MOST_KEPT = 20_000


@dataclass(frozen=True)
class Recalled(Generic[V]):
    """An answer, and how long ago PostgreSQL gave it (zero: just now)."""

    value: V
    age: timedelta


class Remembered(Generic[K, V]):
    """The last answer PostgreSQL gave for each key, with when it gave it."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._kept: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def keep(self, key: K, value: V) -> None:
        self._kept[key] = (self._clock(), value)
        self._kept.move_to_end(key)
        while len(self._kept) > MOST_KEPT:
            self._kept.popitem(last=False)

    def recall(self, key: K, *, within: timedelta) -> Recalled[V] | None:
        """The answer kept for ``key`` if it was given less than ``within`` ago."""
        kept = self._kept.get(key)
        if kept is None:
            return None
        age = timedelta(seconds=self._clock() - kept[0])
        return Recalled(kept[1], age) if age < within else None

    def forget(self, key: K) -> None:
        self._kept.pop(key, None)


async def asked(
    ask: Callable[[], Awaitable[V]], memory: Remembered[K, V], key: K, *, grace: timedelta
) -> Recalled[V]:
    """PostgreSQL's answer now, kept in ``memory``; while it does not answer, its last answer
    for ``key`` if younger than ``grace``; else the failure itself."""
    try:
        async with asyncio.timeout(ANSWER_WITHIN):
            value = await ask()
    except UNREACHABLE as lost:
        kept = memory.recall(key, within=grace)
        if kept is None:
            raise
        said = "PostgreSQL did not answer: going on with what it said last"
        server_unreachable(log, "PostgreSQL", said, error=type(lost).__name__)
        return kept
    memory.keep(key, value)
    return Recalled(value, timedelta(0))
