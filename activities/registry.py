"""The activities a worker registers, built from their dependencies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from safeside.db import Pool


def build_activities(pool: Pool) -> list[Callable[..., Any]]:
    """All activity callables, bound to the process's PostgreSQL pool."""
    del pool  # the activities issue binds the event store and notifier here
    return []
