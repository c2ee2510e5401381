"""Redacting an answer for a role: every field the permission table hides from it, at any
depth (the state's facts, a visitor in a list, an audit entry's details), keeps its key and
loses its value, so the answer's shape stays the same."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from starter.services.permissions import hidden_fields
from workflows.domain.common import Role

REDACTED = "[redacted]"


def redact(value: Any, hidden: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {
            key: REDACTED if key in hidden and item not in (None, []) else redact(item, hidden)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item, hidden) for item in value]
    return value


def redacted_answer(role: Role, answer: BaseModel | Sequence[BaseModel]) -> Any:
    """``answer`` as JSON-ready data, without what ``role`` has no need to know."""
    if not isinstance(answer, BaseModel):
        data: Any = [item.model_dump(mode="json") for item in answer]
    else:
        data = answer.model_dump(mode="json")
    return redact(data, hidden_fields(role))
