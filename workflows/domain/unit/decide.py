"""Decisions on the unit's duties: whereabouts checks (R4), house meetings (R13), building and
outside checks (R14) and the handover (R16); plus what the clock raises by itself.

Refusals name the field, never echo the value: a value may be a place or a person.
"""

from datetime import datetime
from typing import Unpack

from workflows.domain.checks import (
    FieldChecks,
    given,
    happened,
    optional_reference,
    reference,
    short_text,
)
from workflows.domain.common import CLOCK_ACTOR, utc
from workflows.domain.errors import DomainError
from workflows.domain.failed_notices import GivenUp, record_given_up
from workflows.domain.stream import header
from workflows.domain.unit.commands import (
    AcknowledgeHandover,
    CheckEntryGiven,
    RecordBuildingCheck,
    RecordHouseMeeting,
    RecordUnitCheck,
)
from workflows.domain.unit.events import (
    BuildingCheckRecorded,
    CheckEntry,
    Concern,
    HandoverAcknowledged,
    HouseMeetingHeld,
    MissingProcedureRequested,
    UnitCheckRecorded,
    UnitEvent,
    UnitNotificationFailed,
    UnitOpened,
    Whereabouts,
)
from workflows.domain.unit.policy import UnitPolicy
from workflows.domain.unit.state import Resident, UnitState

UnitCommand = RecordUnitCheck | RecordHouseMeeting | RecordBuildingCheck | AcknowledgeHandover


def open_unit(state: UnitState, unit_id: str, now: datetime) -> list[UnitEvent]:
    if state.version:
        return []
    return [UnitOpened(**header(state, utc(now), CLOCK_ACTOR), unit_id=unit_id)]


def unit_notification_failed(state: UnitState, **given_up: Unpack[GivenUp]) -> list[UnitEvent]:
    """The event recording that a unit notice was given up on; nothing if already recorded."""
    return [*record_given_up(state, UnitNotificationFailed, given_up)]


def decide_unit(
    state: UnitState, command: UnitCommand, *, now: datetime, policy: UnitPolicy
) -> list[UnitEvent]:
    """The events recording `command`, or DomainError saying why it was refused."""
    now = utc(now)
    if state.opened_at is None:
        raise DomainError("this unit has not been opened: nothing can be recorded on it yet")
    match command:
        case RecordUnitCheck():
            return _unit_check(state, command, now)
        case RecordHouseMeeting():
            return [_house_meeting(state, command, now, policy)]
        case RecordBuildingCheck():
            return [_building_check(state, command, now)]
        case AcknowledgeHandover():
            return [_handover(state, command, now)]


def _not_earlier_than(at: datetime, last: datetime | None, what: str) -> None:
    if last is not None and at < last:
        raise DomainError(
            f"this {what} is earlier than the last one recorded: record them in order"
        )


def _unit_check(state: UnitState, command: RecordUnitCheck, now: datetime) -> list[UnitEvent]:
    happened(command.checked_at, now, "unit check")
    _not_earlier_than(command.checked_at, state.last_check_at, "unit check")
    listed = [entry.placement_id.strip() for entry in command.entries]
    if len(set(listed)) != len(listed):
        raise DomainError("a child is listed twice in the unit check: list each child once")
    residents = {r.placement_id for r in state.residents}
    strangers = sorted(set(listed) - residents)
    if strangers:
        raise DomainError(
            f"placement {strangers[0]} does not live in this unit: list only resident children"
        )
    left_out = sorted(residents - set(listed))
    if left_out:
        raise DomainError(
            f"the unit check must list every resident child: placement {left_out[0]} is missing "
            "from it (seen, away with authorisation, or not seen)"
        )
    entries = tuple(_entry(entry, command.checked_at) for entry in command.entries)
    number = state.checks_recorded + 1
    events: list[UnitEvent] = [
        UnitCheckRecorded(
            **header(state, now, command.actor),
            check_number=number,
            checked_at=command.checked_at,
            entries=entries,
        )
    ]
    for entry in entries:
        resident = state.resident(entry.placement_id)
        if (
            entry.whereabouts is Whereabouts.not_seen
            and resident
            and not resident.missing_requested
        ):
            events.append(
                MissingProcedureRequested(
                    **header(state, now, command.actor, len(events) + 1),
                    placement_id=entry.placement_id,
                    reason="not_seen",
                    check_number=number,
                    last_seen_at=last_seen(resident),
                )
            )
    return events


def last_seen(resident: Resident) -> datetime:
    return resident.last_seen_at or resident.joined_at


def _entry(entry: CheckEntryGiven, checked_at: datetime) -> CheckEntry:
    where = optional_reference(entry.known_whereabouts_reference, "whereabouts reference")
    if entry.whereabouts is not Whereabouts.away_authorised:
        if where is not None or entry.away_until is not None:
            raise DomainError(
                f"placement {entry.placement_id.strip()} is not away: leave the whereabouts "
                "reference and the return time empty"
            )
        return CheckEntry(placement_id=entry.placement_id.strip(), whereabouts=entry.whereabouts)
    if where is None:
        raise DomainError(
            f"placement {entry.placement_id.strip()} is away with authorisation: give a "
            "reference to where they are (never an address)"
        )
    if entry.away_until is None or entry.away_until <= checked_at:
        raise DomainError(
            f"placement {entry.placement_id.strip()} is away with authorisation: give the time "
            "they are due back, later than the check"
        )
    return CheckEntry(
        placement_id=entry.placement_id.strip(),
        whereabouts=entry.whereabouts,
        known_whereabouts_reference=where,
        away_until=entry.away_until,
    )


def _house_meeting(
    state: UnitState, command: RecordHouseMeeting, now: datetime, policy: UnitPolicy
) -> HouseMeetingHeld:
    happened(command.held_at, now, "house meeting")
    _not_earlier_than(command.held_at, state.last_house_meeting_at, "house meeting")
    recent = [
        r
        for r in state.residents
        if command.held_at - policy.recent_arrival_within <= r.arrived_at <= command.held_at
    ]
    if recent and not command.phones_discussed:
        raise DomainError(
            "a child who arrived in the last "
            f"{policy.recent_arrival_within.days} days lives here: the house meeting must "
            "discuss not lending phones to other residents (R13); record that it was discussed"
        )
    if command.residents_present < 0:
        raise DomainError("the number of residents present cannot be negative")
    topics = tuple(topic for topic in map(given, command.topics) if topic is not None)
    return HouseMeetingHeld(
        **header(state, now, command.actor),
        held_at=command.held_at,
        phones_discussed=command.phones_discussed,
        topics=topics,
        residents_present=command.residents_present,
    )


def _building_check(
    state: UnitState, command: RecordBuildingCheck, now: datetime
) -> BuildingCheckRecorded:
    happened(command.checked_at, now, "building check")
    _not_earlier_than(command.checked_at, state.last_building_check_at, "building check")
    if not command.areas:
        raise DomainError("say what was checked: the building, outside, or both")
    concerns = []
    for concern in command.concerns:
        about = given(concern.placement_id)
        if about is not None and state.resident(about) is None:
            raise DomainError(
                f"placement {about} does not live in this unit: a concern about a child names "
                "a resident, or no child"
            )
        note = short_text(
            concern.note_reference_or_text,
            "write what was seen, or give its log book reference",
            "concern note",
        )
        concerns.append(
            Concern(category=concern.category, note_reference_or_text=note, placement_id=about)
        )
    return BuildingCheckRecorded(
        **header(state, now, command.actor),
        checked_at=command.checked_at,
        areas=tuple(dict.fromkeys(command.areas)),
        concerns=tuple(concerns),
    )


def _handover(
    state: UnitState, command: AcknowledgeHandover, now: datetime
) -> HandoverAcknowledged:
    checks = FieldChecks()
    with checks.at("acknowledged_at"):
        happened(command.acknowledged_at, now, "handover")
        _not_earlier_than(command.acknowledged_at, state.last_handover_acknowledged_at, "handover")
    with checks.at("handed_over_by_reference"):
        by = reference(
            command.handed_over_by_reference,
            "give the staff reference of the person handing over",
            "handed-over-by reference",
        )
        if by == command.actor.reference:
            raise DomainError(
                "the handover is acknowledged by the incoming shift, not by the person handing over"
            )
    checks.refuse_if_any()
    return HandoverAcknowledged(
        **header(state, now, command.actor),
        acknowledged_at=command.acknowledged_at,
        handed_over_by_reference=by,
    )
