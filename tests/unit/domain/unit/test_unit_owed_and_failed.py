"""What the unit owes its placements (a missing report, a concern about a named child), and a
unit notice given up on, which is recorded once and escalated to the Duty Manager."""

from datetime import datetime, timedelta

from tests.unit.domain.unit.unit_builders import OPENED, WORKER, unit_with
from workflows.domain.commands import RecordSuspiciousActivity, ReportMissing
from workflows.domain.common import CLOCK_ACTOR, MissingKind, Role
from workflows.domain.failed_notices import GivenUp
from workflows.domain.notices import Notice
from workflows.domain.unit.decide import unit_notification_failed
from workflows.domain.unit.events import (
    BuildingCheckRecorded,
    Concern,
    HouseMeetingHeld,
    MissingProcedureRequested,
    UnitNotificationFailed,
    unit_event_from_stored,
    unit_event_to_stored,
    unit_stream_id,
)
from workflows.domain.unit.notices import unit_notices_for
from workflows.domain.unit.owed import ToPlacement, owed_to_placements
from workflows.domain.unit.state import evolve_unit

STREAM = unit_stream_id("UNIT-7")
LAST_SEEN = OPENED - timedelta(hours=1)


# The header of the second event in the unit's stream, after its opening.
SECOND: dict[str, object] = {
    "stream_id": STREAM,
    "version": 2,
    "occurred_at": OPENED,
    "actor": WORKER,
}


def missing_requested(reason: str) -> MissingProcedureRequested:
    return MissingProcedureRequested.model_validate(
        SECOND
        | {
            "placement_id": "PL-1",
            "reason": reason,
            "check_number": 3,
            "last_seen_at": LAST_SEEN,
        }
    )


def test_a_child_not_seen_owes_their_placement_a_missing_report_naming_the_check() -> None:
    assert owed_to_placements(missing_requested("not_seen")) == [
        ToPlacement(
            placement_id="PL-1",
            command=ReportMissing(
                actor=WORKER,
                kind=MissingKind.missing,
                last_seen_at=LAST_SEEN,
                circumstances=None,
                unit_check_reference="unit-check-3",
            ),
        )
    ]


def test_an_overrun_absence_says_so_in_the_missing_report() -> None:
    [owed] = owed_to_placements(missing_requested("absence_overran"))
    assert isinstance(owed.command, ReportMissing)
    assert owed.command.circumstances == (
        "not back when an authorised absence ended (unit-check-3)"
    )
    assert owed.command.unit_check_reference == "unit-check-3"


def test_only_concerns_naming_a_child_reach_a_placement_in_order() -> None:
    checked = BuildingCheckRecorded.model_validate(
        SECOND
        | dict(
            checked_at=OPENED,
            areas=("outside",),
            concerns=(
                Concern(
                    category="waiting_car", note_reference_or_text="LOG-1", placement_id="PL-2"
                ),
                Concern(category="waiting_car", note_reference_or_text="LOG-2"),
                Concern(
                    category="waiting_car", note_reference_or_text="LOG-3", placement_id="PL-1"
                ),
            ),
        )
    )
    owed = owed_to_placements(checked)
    assert [o.placement_id for o in owed] == ["PL-2", "PL-1"]
    assert owed[0].command == RecordSuspiciousActivity(
        actor=WORKER, category="waiting_car", note_reference_or_text="LOG-1", observed_at=OPENED
    )


def test_other_unit_events_owe_the_placements_nothing() -> None:
    meeting = HouseMeetingHeld.model_validate(
        SECOND | {"held_at": OPENED, "phones_discussed": True, "residents_present": 2}
    )
    assert owed_to_placements(meeting) == []


def given_up(purpose: str, recipient: Role, at: datetime = OPENED) -> GivenUp:
    return {
        "now": at,
        "idempotency_key": f"unit:UNIT-7:2:{recipient.value}:{purpose}",
        "recipient": recipient,
        "purpose": purpose,
        "about_version": 2,
    }


def test_a_unit_notice_given_up_on_is_recorded_once_by_the_clock() -> None:
    state = unit_with()
    later = OPENED + timedelta(hours=2)
    failed = given_up("building_concern", Role.duty_manager, later)
    [event] = unit_notification_failed(state, **failed)
    assert isinstance(event, UnitNotificationFailed)
    assert (event.version, event.actor, event.occurred_at) == (2, CLOCK_ACTOR, later)
    assert (event.recipient, event.purpose, event.about_version) == (
        Role.duty_manager,
        "building_concern",
        2,
    )
    state = evolve_unit(state, event)
    assert state.failed_notifications == ("unit:UNIT-7:2:duty_manager:building_concern",)
    assert unit_notification_failed(state, **failed) == []


def test_a_unit_notice_given_up_on_tells_the_duty_manager_like_a_placements() -> None:
    failed = given_up("unit_escalation", Role.registered_manager)
    [event] = unit_notification_failed(unit_with(), **failed)
    assert unit_notices_for(event) == [
        Notice(recipient=Role.duty_manager, purpose="notification_failed")
    ]


def test_a_unit_notice_given_up_on_is_stored_as_notification_failed_and_read_back() -> None:
    failed = given_up("unit_escalation", Role.duty_manager)
    [event] = unit_notification_failed(unit_with(), **failed)
    type_name, schema_version, payload = unit_event_to_stored(event)
    assert (type_name, schema_version) == ("notification_failed", 1)
    assert unit_event_from_stored(type_name, schema_version, payload) == event
