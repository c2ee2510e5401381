"""The message a channel sends: an outbox row and the content built for its recipient."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class NotificationContent(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject: str
    placement_id: str
    case_reference: str | None
    unit_id: str | None
    recipient: str
    purpose: str
    event_type: str
    event_version: int
    occurred_at: datetime
    risk_level: str | None
    # Facts particular to the purpose, e.g. the deadline that was missed and when it fell due.
    details: dict[str, Any] = {}


class Notification(BaseModel):
    """What a channel sends: an outbox row."""

    model_config = ConfigDict(frozen=True)

    idempotency_key: str
    stream_id: str
    event_version: int
    recipient: str
    purpose: str
    content: NotificationContent
