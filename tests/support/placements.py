"""Builders for placement commands in tests: opaque ids, sensible facts, one builder a record
staff make (the time it was made given, every other fact a plausible default)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from workflows.domain import commands
from workflows.domain.common import Actor, MissingKind, PoliceRiskGrade, RiskLevel, Role

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
    unit_id: str = "UNIT-7",
) -> commands.StartPlacement:
    return commands.StartPlacement(
        actor=MANAGER,
        placement_id=placement_id,
        case_reference=f"CASE-{placement_id}",
        unit_id=unit_id,
        first_language="Tigrinya",
        looked_after_since=looked_after_since or (arrived_at - timedelta(days=2)).date(),
        arrived_at=arrived_at,
        placing_authority="Example Borough Council",
        social_worker_reference="sw-204",
        initial_risk_level=risk,
        ukvi_relevant=ukvi_relevant,
    )


def leaflet(at: datetime) -> commands.RecordLeafletDelivered:
    return commands.RecordLeafletDelivered(
        actor=KEY_WORKER,
        language="Tigrinya",
        interpreter_reference="INT-55",
        child_understanding="understood, asked about phones",
        delivered_at=at,
    )


def assessment(at: datetime, level: RiskLevel = RiskLevel.medium) -> commands.RecordRiskAssessment:
    return commands.RecordRiskAssessment(
        actor=KEY_WORKER,
        level=level,
        factors=("unknown adult called the unit",),
        child_participated=True,
        child_views="wants to stay",
        assessed_at=at,
    )


def observation(at: datetime, note: str = "LOG-1") -> commands.RecordObservation:
    return commands.RecordObservation(
        actor=KEY_WORKER, category="waiting_car", note_reference_or_text=note, observed_at=at
    )


def visit(at: datetime) -> commands.RecordSocialWorkerVisit:
    return commands.RecordSocialWorkerVisit(
        actor=SOCIAL_WORKER,
        visited_at=at,
        social_worker_reference="sw-204",
        child_seen_alone=True,
    )


def raise_to_high() -> commands.ChangeRiskLevel:
    return commands.ChangeRiskLevel(actor=MANAGER, to_level=RiskLevel.high, reason="car seen twice")


def end(at: datetime) -> commands.EndPlacement:
    return commands.EndPlacement(actor=MANAGER, reason="moved", ended_at=at)


def report_missing(
    last_seen_at: datetime,
    *,
    place: str = "PLACE-REF-1",
    kind: MissingKind = MissingKind.missing,
    whereabouts: str | None = None,
) -> commands.ReportMissing:
    return commands.ReportMissing(
        actor=KEY_WORKER,
        kind=kind,
        last_seen_at=last_seen_at,
        last_seen_place_reference=place,
        circumstances="did not come back from college",
        police_risk_grade=PoliceRiskGrade.high,
        clothing_reference="PHIL-2-0042" if kind is MissingKind.missing else None,
        description_reference="PHIL-1-0007",
        known_whereabouts_reference=whereabouts,
    )


def record_return(returned_at: datetime, *, where: str = "FOUND-REF-1") -> commands.RecordReturn:
    return commands.RecordReturn(
        actor=KEY_WORKER,
        returned_at=returned_at,
        found_by_reference="police",
        where_found_reference=where,
    )


def return_interview(episode_id: str, held_at: datetime) -> commands.RecordReturnInterview:
    return commands.RecordReturnInterview(
        actor=SOCIAL_WORKER,
        episode_id=episode_id,
        held_at=held_at,
        interviewer_reference="RHI-independent-3",
        child_views="was frightened; wants to stay",
    )


def propose_visitor(visitor: str) -> commands.ProposeVisitor:
    return commands.ProposeVisitor(
        actor=KEY_WORKER, visitor_reference=visitor, stated_relationship="uncle"
    )


def verify_visitor(visitor: str, at: datetime) -> commands.RecordVisitorVerified:
    return commands.RecordVisitorVerified(
        actor=SOCIAL_WORKER,
        visitor_reference=visitor,
        interviewed_at=at,
        identity_established=True,
        relationship_established=True,
        police_check_reference="PNC-778",
    )


def visit_by(visitor: str, at: datetime) -> commands.RecordVisit:
    return commands.RecordVisit(actor=KEY_WORKER, visitor_reference=visitor, visited_at=at)


def turned_away(visitor: str, at: datetime) -> commands.RecordUnverifiedVisitAttempt:
    return commands.RecordUnverifiedVisitAttempt(
        actor=KEY_WORKER, visitor_reference=visitor, attempted_at=at
    )
