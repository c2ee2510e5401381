"""The unit handover view (R16): for each resident child, current risks, what is due or overdue
in the next 24 hours, restrictions, phone status and missing status, from the summary the
placement last reported; with the unit's own duties. Where an absent child is never shows."""

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from workflows.domain.common import RiskLevel, UtcDatetime, utc
from workflows.domain.deadlines import Deadline
from workflows.domain.protection_state import Restriction
from workflows.domain.unit.due import UnitDeadline, due, resident_check_due
from workflows.domain.unit.events import Whereabouts
from workflows.domain.unit.membership import PlacementReport
from workflows.domain.unit.policy import UnitPolicy
from workflows.domain.unit.state import UnitState

HANDOVER_WINDOW = timedelta(hours=24)


class ResidentHandover(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    placement_id: str
    risk_level: RiskLevel | None
    risk_factors: tuple[str, ...] = ()
    # From the latest unit check; "away" says until when, never where.
    whereabouts: Whereabouts | None
    away_until: UtcDatetime | None
    last_seen_at: UtcDatetime | None
    next_check_due_at: UtcDatetime
    overdue: tuple[Deadline, ...] = ()
    due_next_24_hours: tuple[Deadline, ...] = ()
    restrictions: tuple[Restriction, ...] = ()
    phone_held: bool | None = None
    missing: bool = False
    away_without_authorisation: bool = False
    missing_episode_id: str | None = None
    missing_since: UtcDatetime | None = None
    # When the Philomena Protocol profile (part 1) was last recorded; None: not yet completed.
    profile_recorded_at: UtcDatetime | None = None
    # The placement version the view reflects.
    reported_version: int | None = None


class UnitHandover(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    unit_id: str | None
    as_at: UtcDatetime
    residents: tuple[ResidentHandover, ...]
    unit_overdue: tuple[UnitDeadline, ...]
    unit_due_next_24_hours: tuple[UnitDeadline, ...]
    last_handover_acknowledged_at: UtcDatetime | None
    handovers_acknowledged: int


def _deadlines_as_at(report: PlacementReport, now: datetime) -> list[Deadline]:
    # The placement's deadlines change only with its events, which it reports; whether one is
    # overdue changes with time, so it is decided again now. A watch is never overdue.
    summary = report.summary
    every = [*summary.overdue_deadlines, *summary.open_deadlines]
    return sorted(
        (d.model_copy(update={"overdue": not d.watch and now >= d.due_at}) for d in every),
        key=lambda d: (d.due_at, d.deadline_id),
    )


def unit_handover(
    state: UnitState,
    reports: dict[str, PlacementReport],
    now: datetime,
    policy: UnitPolicy,
) -> UnitHandover:
    now = utc(now)
    horizon = now + HANDOVER_WINDOW
    residents = []
    for resident in state.residents:
        report = reports.get(resident.placement_id)
        deadlines = [] if report is None else _deadlines_as_at(report, now)
        summary = None if report is None else report.summary
        residents.append(
            ResidentHandover(
                placement_id=resident.placement_id,
                risk_level=resident.risk_level,
                risk_factors=() if summary is None else summary.risk_factors,
                whereabouts=resident.whereabouts,
                away_until=resident.away_until,
                last_seen_at=resident.last_seen_at,
                next_check_due_at=resident_check_due(state, resident, policy),
                overdue=tuple(d for d in deadlines if d.overdue),
                # A missing child's watch is shown as `missing`, not as something due.
                due_next_24_hours=tuple(
                    d for d in deadlines if not d.overdue and not d.watch and d.due_at <= horizon
                ),
                restrictions=() if summary is None else summary.restrictions,
                phone_held=None if summary is None else summary.phone_held,
                missing=summary is not None and summary.missing,
                away_without_authorisation=(
                    summary is not None and summary.away_without_authorisation
                ),
                missing_episode_id=None if summary is None else summary.missing_episode_id,
                missing_since=None if summary is None else summary.missing_since,
                profile_recorded_at=None if summary is None else summary.profile_recorded_at,
                reported_version=None if report is None else report.version,
            )
        )
    unit_deadlines = due(state, now, policy)
    return UnitHandover(
        unit_id=state.unit_id,
        as_at=now,
        residents=tuple(residents),
        unit_overdue=tuple(d for d in unit_deadlines if d.overdue),
        unit_due_next_24_hours=tuple(
            d for d in unit_deadlines if not d.overdue and d.due_at <= horizon
        ),
        last_handover_acknowledged_at=state.last_handover_acknowledged_at,
        handovers_acknowledged=state.handovers_acknowledged,
    )
