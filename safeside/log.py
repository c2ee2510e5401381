"""structlog, configured once, with the standard library's records (temporalio, asyncpg)
sent through the same pipeline: a readable console in development, JSON lines in production.

Every line about a placement carries its opaque ``placement_id``: bound explicitly with
``structlog.contextvars``, or lifted from the workflow id that temporalio's workflow and
activity loggers attach to their records.

A server that does not answer is said so in one line per server every few seconds
(``server_unreachable``), however many requests find it so: an outage of a minute is a dozen
lines, not a traceback per attempt.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import structlog
from structlog.types import EventDict, Processor

from safeside.ids import placement_id_of


def _placement_id_from_temporal(_: Any, __: str, event_dict: EventDict) -> EventDict:
    """temporalio's loggers put a dict of workflow/activity facts in the record's extra;
    keep its opaque ids and name the placement."""
    for key in ("temporal_workflow", "temporal_activity"):
        info = event_dict.pop(key, None)
        if not isinstance(info, dict):
            continue
        workflow_id = info.get("workflow_id")
        if isinstance(workflow_id, str):
            event_dict.setdefault("workflow_id", workflow_id)
            placement_id = placement_id_of(workflow_id)
            if placement_id is not None:
                event_dict.setdefault("placement_id", placement_id)
        for name in ("workflow_type", "activity_type", "attempt"):
            if name in info:
                event_dict.setdefault(name, info[name])
    return event_dict


def configure_logging(log_format: str = "console", level: str = "INFO") -> None:
    """Configure structlog and the standard library's root logger. Safe to call again."""
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        _placement_id_from_temporal,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Processor
    if log_format == "json":
        renderer = structlog.processors.JSONRenderer()
        shared.append(structlog.processors.format_exc_info)
    else:
        # A plain traceback: the default (rich's, with every frame's local variables) would
        # print an event's payload or a command from a frame, and takes long enough to render
        # that a worker logging one per failed attempt starves its own workflow tasks.
        renderer = structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )

    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(_AsyncpgInPostgreSQLsTurn())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The SDK's core is chatty at INFO about polling, and httpx logs every request's whole
    # address (the identity provider's, the Temporal UI's through the page): keep warnings.
    quiet_level = max(logging.getLevelNamesMapping()[level], logging.WARNING)
    for chatty in ("temporalio.bridge", "httpx"):
        logging.getLogger(chatty).setLevel(quiet_level)
    # GOV.UK Notify's client logs each refused request with Notify's own words about it:
    # third-party text, and the outbox already says the delivery failed.
    notify_level = max(logging.getLevelNamesMapping()[level], logging.ERROR)
    logging.getLogger("notifications_python_client").setLevel(notify_level)


class _AsyncpgInPostgreSQLsTurn(logging.Filter):
    """asyncpg's pool tries to reconnect while PostgreSQL is away, logging a traceback each
    time: instead, a line naming the error, in PostgreSQL's turn (``server_unreachable``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("asyncpg") or not record.exc_info:
            return True
        left_out = _unreachable.due("PostgreSQL")
        if left_out is None:
            return False
        error = record.exc_info[1]
        record.exc_info = record.exc_text = None
        record.server, record.error = "PostgreSQL", type(error).__name__
        if left_out:
            record.left_out_since_last_line = left_out
        return True


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger


class Throttle:
    """Says when a key may be logged again: at most once every ``every`` seconds, counting the
    times left out in between."""

    def __init__(self, every: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.every = every
        self._clock = clock
        self._last: dict[str, float] = {}
        self._left_out: Counter[str] = Counter()

    def due(self, key: str) -> int | None:
        """None while ``key`` was logged less than ``every`` seconds ago (this time is counted
        as left out); otherwise how many were left out since its last line."""
        now = self._clock()
        last = self._last.get(key)
        if last is not None and now - last < self.every:
            self._left_out[key] += 1
            return None
        self._last[key] = now
        return self._left_out.pop(key, 0)


# One line per server every this many seconds while it does not answer.
UNREACHABLE_LINE_EVERY = 5.0
_unreachable = Throttle(UNREACHABLE_LINE_EVERY)


def server_unreachable(
    logger: structlog.stdlib.BoundLogger, server: str, event: str, **fields: Any
) -> None:
    """``event`` about ``server`` ("PostgreSQL", "the Temporal server") at WARNING, at most
    once every few seconds per server whoever says it, with how many were left out; never a
    traceback (the fields say what failed)."""
    left_out = _unreachable.due(server)
    if left_out is None:
        return
    if left_out:
        fields["left_out_since_last_line"] = left_out
    logger.warning(event, server=server, **fields)
