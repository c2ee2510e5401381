"""The state of one unit, changed only by folding its events. Carried across continue-as-new,
so it is a frozen model that round-trips through JSON. Where an absent child is stays in the
events: the state keeps only that they are away, and until when."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from workflows.domain.common import RiskLevel
from workflows.domain.failed_notices import with_failed
from workflows.domain.ladders import with_step_raised
from workflows.domain.stream import ensure_next
from workflows.domain.unit.events import (
    BuildingCheckRecorded,
    HandoverAcknowledged,
    HouseMeetingHeld,
    MissingProcedureRequested,
    ResidentJoined,
    ResidentLeft,
    ResidentRiskChanged,
    UnitCheckRecorded,
    UnitEscalationRaised,
    UnitEvent,
    UnitNotificationFailed,
    UnitOpened,
    Whereabouts,
)


class Resident(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    placement_id: str
    arrived_at: datetime
    # When the unit learned of the child: their first check counts from here.
    joined_at: datetime
    risk_level: RiskLevel | None
    # When the level last changed: a shorter interval applies from this moment.
    level_since: datetime
    whereabouts: Whereabouts | None = None
    away_until: datetime | None = None
    last_seen_at: datetime | None = None
    # Set when the unit asked the placement to start its missing procedure; a later check
    # that sees the child clears it.
    missing_requested: bool = False


class UnitState(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    stream_id: str
    version: int = Field(default=0, ge=0)
    unit_id: str | None = None
    opened_at: datetime | None = None
    # Sorted by placement id.
    residents: tuple[Resident, ...] = ()
    checks_recorded: int = 0
    last_check_at: datetime | None = None
    house_meetings_held: int = 0
    last_house_meeting_at: datetime | None = None
    building_checks_recorded: int = 0
    last_building_check_at: datetime | None = None
    concerns_raised: int = 0
    handovers_acknowledged: int = 0
    last_handover_acknowledged_at: datetime | None = None
    # (deadline_id, step_index) of every step raised, sorted; only the current occurrences'
    # steps are kept, so the tuple stays short however long the unit runs.
    escalations_raised: tuple[tuple[str, int], ...] = ()
    # Idempotency keys of the notices given up on, sorted: each is recorded once.
    failed_notifications: tuple[str, ...] = ()

    def resident(self, placement_id: str) -> Resident | None:
        return next((r for r in self.residents if r.placement_id == placement_id), None)

    def escalation_raised(self, deadline_id: str, step_index: int) -> bool:
        return (deadline_id, step_index) in self.escalations_raised


def initial_unit_state(stream_id: str) -> UnitState:
    return UnitState(stream_id=stream_id)


def evolve_unit(state: UnitState, event: UnitEvent) -> UnitState:
    """The state after `event`; `state` itself is never changed."""
    ensure_next(state, event)
    return state.model_copy(update={"version": event.version, **_changes(state, event)})


def fold_unit(events: list[UnitEvent], state: UnitState) -> UnitState:
    for event in events:
        state = evolve_unit(state, event)
    return state


def _with_resident(state: UnitState, placement_id: str, **changes: object) -> object:
    return tuple(
        r.model_copy(update=changes) if r.placement_id == placement_id else r
        for r in state.residents
    )


def _prune(raised: tuple[tuple[str, int], ...], prefix: str) -> tuple[tuple[str, int], ...]:
    # A recorded duty closes its occurrence: its steps can never be raised again.
    return tuple(step for step in raised if not step[0].startswith(prefix))


def _changes(state: UnitState, event: UnitEvent) -> dict[str, object]:
    match event:
        case UnitOpened():
            return {"unit_id": event.unit_id, "opened_at": event.occurred_at}
        case ResidentJoined():
            resident = Resident(
                placement_id=event.placement_id,
                arrived_at=event.arrived_at,
                joined_at=event.occurred_at,
                risk_level=event.risk_level,
                level_since=event.occurred_at,
            )
            others = [r for r in state.residents if r.placement_id != event.placement_id]
            return {"residents": tuple(sorted([*others, resident], key=lambda r: r.placement_id))}
        case ResidentRiskChanged():
            return {
                "residents": _with_resident(
                    state,
                    event.placement_id,
                    risk_level=event.to_level,
                    level_since=event.occurred_at,
                )
            }
        case ResidentLeft():
            return {
                "residents": tuple(
                    r for r in state.residents if r.placement_id != event.placement_id
                )
            }
        case UnitCheckRecorded():
            return _check_changes(state, event)
        case MissingProcedureRequested():
            return {"residents": _with_resident(state, event.placement_id, missing_requested=True)}
        case HouseMeetingHeld():
            return {
                "house_meetings_held": state.house_meetings_held + 1,
                "last_house_meeting_at": event.held_at,
                "escalations_raised": _prune(state.escalations_raised, "house_meeting:"),
            }
        case BuildingCheckRecorded():
            return {
                "building_checks_recorded": state.building_checks_recorded + 1,
                "last_building_check_at": event.checked_at,
                "concerns_raised": state.concerns_raised + len(event.concerns),
                "escalations_raised": _prune(state.escalations_raised, "building_check:"),
            }
        case HandoverAcknowledged():
            return {
                "handovers_acknowledged": state.handovers_acknowledged + 1,
                "last_handover_acknowledged_at": event.acknowledged_at,
            }
        case UnitEscalationRaised():
            return {"escalations_raised": with_step_raised(state.escalations_raised, event)}
        case UnitNotificationFailed():
            return {"failed_notifications": with_failed(state.failed_notifications, event)}


def _check_changes(state: UnitState, event: UnitCheckRecorded) -> dict[str, object]:
    by_id = {entry.placement_id: entry for entry in event.entries}
    residents = []
    for resident in state.residents:
        entry = by_id.get(resident.placement_id)
        if entry is None:
            residents.append(resident)
            continue
        seen = entry.whereabouts is Whereabouts.seen
        residents.append(
            resident.model_copy(
                update={
                    "whereabouts": entry.whereabouts,
                    "away_until": entry.away_until,
                    "last_seen_at": event.checked_at if seen else resident.last_seen_at,
                    "missing_requested": (
                        resident.missing_requested and entry.whereabouts is Whereabouts.not_seen
                    ),
                }
            )
        )
    return {
        "residents": tuple(residents),
        "checks_recorded": state.checks_recorded + 1,
        "last_check_at": event.checked_at,
        # A new check closes the previous one's clock.
        "escalations_raised": _prune(state.escalations_raised, "unit_check:"),
    }
