"""Redaction by allow-list, the mechanism: every key of a JSON-ready answer outside the
fields a reader may see (``safeside.need_to_know``) reads ``[redacted]``, at any depth, the
answer keeping its shape; None and empty values stay as they are (they reveal nothing)."""

from __future__ import annotations

from typing import Any

REDACTED = "[redacted]"


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | tuple | dict) and len(value) == 0)


def redact(value: Any, visible: frozenset[str]) -> Any:
    """JSON-ready ``value`` with every key outside ``visible`` redacted, at any depth."""
    if isinstance(value, dict):
        return {
            key: redact(item, visible) if key in visible or _empty(item) else REDACTED
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item, visible) for item in value]
    return value
