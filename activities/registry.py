"""The activities a worker registers, built from their dependencies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from activities.channels import ChannelRouter, build_channels
from activities.event_store import EventStore
from activities.outbox import Outbox
from activities.placement_activities import (
    AppendAndDeliverActivities,
    EventStoreActivities,
    NotificationActivities,
)
from activities.unit_activities import UnitReportActivities
from safeside.db import Pool
from safeside.policy_file import load_policy
from safeside.settings import Settings


def build_activities(
    pool: Pool, settings: Settings, *, channels: ChannelRouter | None = None
) -> list[Callable[..., Any]]:
    """All activity callables, bound to the process's PostgreSQL pool, the policy in force and
    the notification channels (``channels`` if given, else those the settings choose; the
    worker passes its own, from ``open_channels``, so it closes them when it stops)."""
    if channels is None:
        channels = build_channels(settings)
    event_store = EventStore(pool, load_policy(settings))
    # A claim outlasts a send the channel's own timeout lets run (connecting, then answering).
    outbox = Outbox(
        pool, channels, claim_for=timedelta(seconds=2 * settings.notify_timeout_seconds)
    )
    store = EventStoreActivities(event_store)
    notifications = NotificationActivities(outbox)
    unit_reports = UnitReportActivities(pool)
    return [
        store.append_events,
        AppendAndDeliverActivities(
            event_store, outbox, report_to_unit=unit_reports.send
        ).append_and_deliver,
        notifications.deliver_notification,
        notifications.deliver_notifications,
        notifications.mark_notification_failed,
        unit_reports.report_to_unit,
    ]
