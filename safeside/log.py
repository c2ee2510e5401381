"""structlog, configured once, with the standard library's records (temporalio, asyncpg)
sent through the same pipeline: a readable console in development, JSON lines in production.

Every line about a placement carries its opaque ``placement_id``: bound explicitly with
``structlog.contextvars``, or lifted from the workflow id that temporalio's workflow and
activity loggers attach to their records.
"""

from __future__ import annotations

import logging
import sys
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
        renderer = structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())

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
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The SDK's core is chatty at INFO about polling, and httpx logs every request's whole
    # address (the identity provider's, the Temporal UI's through the page): keep warnings.
    quiet_level = max(logging.getLevelNamesMapping()[level], logging.WARNING)
    for chatty in ("temporalio.bridge", "httpx"):
        logging.getLogger(chatty).setLevel(quiet_level)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger
