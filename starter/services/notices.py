"""Who was told: every notice a placement's events owed (the outbox, ``notifications``), with
its delivery as the outbox records it, the newest event first.

The outbox is not derived from the events (a delivery is not an event), so this reads the
outbox itself, and the event each notice is about for when it was owed. The channel is the one
the settings name now for the recipient (``SAFESIDE_NOTIFY_CHANNELS``): the outbox does not
record which channel a notice went through.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from safeside.db import Pool
from safeside.settings import Settings
from starter.services.lists import BadCursor
from starter.services.paging import DEFAULT_PAGE_SIZE, MAX_VERSION, KeysetPage, Params, one_page

DeliveryStatus = Literal["pending", "delivered", "failed"]

# A recipient not named in SAFESIDE_NOTIFY_CHANNELS goes to the log (activities.channels).
DEFAULT_CHANNEL = "log"


class NoticeOwed(BaseModel):
    """One notice: to whom, why, about which event, and whether it reached them."""

    model_config = ConfigDict(frozen=True)

    idempotency_key: str
    about_version: int
    event_type: str
    # The missing episode the event is about, for the notices of an episode.
    episode_id: str | None = None
    recipient: str
    purpose: str
    # When the event that owes the notice happened.
    owed_at: datetime
    # The channel the settings name now for the recipient.
    channel: str
    delivery_status: DeliveryStatus
    attempts: int
    delivered_at: datetime | None = None


class NoticePage(KeysetPage[NoticeOwed, str]):
    placement_id: str


async def notices_owed(
    pool: Pool,
    settings: Settings,
    placement_id: str,
    *,
    after: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> NoticePage:
    """The placement's notices, the newest event first (its recipients in name order), a page
    at a time: ``after`` is the previous page's ``next_after``."""
    param = Params()
    conditions = [f"n.stream_id = {param(placement_id)}"]
    if after is not None:
        version, recipient = _decode_cursor(after)
        conditions.append(
            f"(n.event_version < {param(version)} "
            f"OR (n.event_version = {param(version)} AND n.recipient > {param(recipient)}))"
        )
    sql = f"""SELECT n.idempotency_key, n.event_version AS about_version,
                     coalesce(e.event_type, '') AS event_type,
                     e.payload ->> 'episode_id' AS episode_id,
                     n.recipient, n.purpose, coalesce(e.occurred_at, n.created_at) AS owed_at,
                     n.status AS delivery_status, n.attempts, n.delivered_at
                FROM notifications n
                LEFT JOIN events e ON e.stream_id = n.stream_id AND e.version = n.event_version
               WHERE {" AND ".join(conditions)}
               ORDER BY n.event_version DESC, n.recipient LIMIT {param(limit + 1)}"""
    async with pool.acquire() as con:
        rows, more = one_page(await con.fetch(sql, *param.values), limit)
    channels = settings.notify_channels
    items = [
        NoticeOwed.model_validate(
            dict(row) | {"channel": channels.get(row["recipient"], DEFAULT_CHANNEL)}
        )
        for row in rows
    ]
    last = items[-1] if more else None
    return NoticePage(
        placement_id=placement_id,
        items=items,
        next_after=None if last is None else f"{last.about_version}:{last.recipient}",
    )


def _decode_cursor(cursor: str) -> tuple[int, str]:
    version, _, recipient = cursor.partition(":")
    # ASCII digits only (str.isdigit takes "²"), within the column's range; no NUL, which
    # PostgreSQL's text refuses.
    if (
        not (version.isascii() and version.isdigit())
        or int(version) > MAX_VERSION
        or not recipient
        or "\x00" in recipient
    ):
        raise BadCursor("not a cursor from a previous page: pass next_after as it came")
    return int(version), recipient
