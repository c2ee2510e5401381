"""The message a channel sends: an outbox row and the content built for its recipient, and
that content as plain text (an e-mail's body, GOV.UK Notify's ``body``)."""

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


def render_text(content: NotificationContent) -> str:
    lines = [
        f"Purpose: {content.purpose.replace('_', ' ')}",
        f"Placement: {content.placement_id}",
        f"Case reference: {content.case_reference or '-'}",
        f"Unit: {content.unit_id or '-'}",
        f"Risk level: {content.risk_level or '-'}",
        f"Event: {content.event_type} (version {content.event_version}) at "
        f"{content.occurred_at.isoformat()}",
    ]
    lines += [
        f"{name.replace('_', ' ').capitalize()}: {value}" for name, value in content.details.items()
    ]
    lines.append("")
    lines.append("Sent by Safeside. The case file holds the child's details.")
    return "\n".join(lines)
