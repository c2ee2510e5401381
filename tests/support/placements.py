"""Builders for placement commands in tests: opaque ids, sensible facts."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from workflows.domain.commands import StartPlacement
from workflows.domain.common import Actor, RiskLevel, Role

KEY_WORKER = Actor(role=Role.key_worker, reference="staff-17")
MANAGER = Actor(role=Role.registered_manager, reference="staff-01")
SOCIAL_WORKER = Actor(role=Role.social_worker, reference="sw-204")


def new_placement_id() -> str:
    return f"PL-{uuid.uuid4().hex[:10]}"


def start_command(
    placement_id: str,
    arrived_at: datetime,
    *,
    looked_after_since: date | None = None,
    risk: RiskLevel = RiskLevel.high,
    ukvi_relevant: bool = True,
) -> StartPlacement:
    return StartPlacement(
        actor=MANAGER,
        placement_id=placement_id,
        case_reference=f"CASE-{placement_id}",
        unit_id="UNIT-7",
        first_language="Tigrinya",
        looked_after_since=looked_after_since or (arrived_at - timedelta(days=2)).date(),
        arrived_at=arrived_at,
        placing_authority="Example Borough Council",
        social_worker_reference="sw-204",
        initial_risk_level=risk,
        ukvi_relevant=ukvi_relevant,
    )
