"""The unit's pure domain: membership from placement reports, whereabouts checks (R4) and the
missing procedure, risk-led intervals, escalation ladders, house meetings (R13), building
checks (R14) and the handover (R16). No server, no event loop."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.placements import report_missing
from tests.unit.domain.unit.unit_builders import (
    HOUR,
    MINUTE,
    OPENED,
    POLICY,
    WORKER,
    apply,
    check,
    placement,
    report,
    unit_with,
)
from workflows.domain.common import Actor, RiskLevel, Role
from workflows.domain.decide import decide
from workflows.domain.errors import DomainError, FieldsRefused
from workflows.domain.policy import Policy
from workflows.domain.state import fold
from workflows.domain.summary import handover_summary
from workflows.domain.unit.clock import unit_escalations_due
from workflows.domain.unit.commands import (
    AcknowledgeHandover,
    CheckEntryGiven,
    ConcernGiven,
    RecordBuildingCheck,
    RecordHouseMeeting,
    RecordUnitCheck,
)
from workflows.domain.unit.decide import decide_unit
from workflows.domain.unit.due import due, next_wake_at
from workflows.domain.unit.events import (
    MissingProcedureRequested,
    Whereabouts,
    unit_event_from_stored,
    unit_event_to_stored,
)
from workflows.domain.unit.handover import unit_handover
from workflows.domain.unit.membership import membership_changes


def test_a_placement_report_joins_then_changes_risk_then_leaves() -> None:
    state = unit_with(("PL-1", RiskLevel.low))
    assert [r.placement_id for r in state.residents] == ["PL-1"]
    child = placement("PL-1", OPENED, RiskLevel.low)
    from workflows.domain.commands import ChangeRiskLevel, EndPlacement

    manager = Actor(role=Role.registered_manager, reference="staff-01")
    later = OPENED + HOUR
    child = fold(
        decide(child, ChangeRiskLevel(actor=manager, to_level=RiskLevel.high, reason="car"),
               now=later, policy=Policy()),
        child,
    )  # fmt: skip
    state = apply(state, membership_changes(state, report(child, later), later))
    assert state.residents[0].risk_level is RiskLevel.high
    child = fold(
        decide(child, EndPlacement(actor=manager, reason="moved", ended_at=later),
               now=later, policy=Policy()),
        child,
    )  # fmt: skip
    state = apply(state, membership_changes(state, report(child, later), later))
    assert state.residents == ()


def test_the_check_is_due_an_hour_after_the_last_and_half_an_hour_for_a_high_risk_child() -> None:
    state = unit_with(("PL-1", RiskLevel.medium))
    assert {d.kind.value: d.due_at for d in due(state, OPENED, POLICY)}["unit_check"] == (
        OPENED + HOUR
    )
    state = unit_with(("PL-1", RiskLevel.medium), ("PL-2", RiskLevel.high))
    assert {d.kind.value: d.due_at for d in due(state, OPENED, POLICY)}["unit_check"] == (
        OPENED + 30 * MINUTE
    )


def test_a_check_must_list_every_resident_child() -> None:
    state = unit_with(("PL-1", RiskLevel.medium), ("PL-2", RiskLevel.low))
    partial = RecordUnitCheck(
        actor=WORKER,
        checked_at=OPENED + 10 * MINUTE,
        entries=(CheckEntryGiven(placement_id="PL-1", whereabouts=Whereabouts.seen),),
    )
    with pytest.raises(DomainError, match="every resident child: placement PL-2"):
        decide_unit(state, partial, now=OPENED + 10 * MINUTE, policy=POLICY)


def test_an_authorised_absence_needs_where_and_until_when_and_never_shows_where() -> None:
    state = unit_with(("PL-1", RiskLevel.medium))
    at = OPENED + 10 * MINUTE
    vague = RecordUnitCheck(
        actor=WORKER,
        checked_at=at,
        entries=(CheckEntryGiven(placement_id="PL-1", whereabouts=Whereabouts.away_authorised),),
    )
    with pytest.raises(DomainError, match="reference to where they are"):
        decide_unit(state, vague, now=at, policy=POLICY)
    away = RecordUnitCheck(
        actor=WORKER,
        checked_at=at,
        entries=(
            CheckEntryGiven(
                placement_id="PL-1",
                whereabouts=Whereabouts.away_authorised,
                known_whereabouts_reference="PLACE-REF-9",
                away_until=at + 2 * HOUR,
            ),
        ),
    )
    state = apply(state, decide_unit(state, away, now=at, policy=POLICY))
    assert "PLACE-REF-9" not in state.model_dump_json()
    assert "PLACE-REF-9" not in unit_handover(state, {}, at, POLICY).model_dump_json()
    # Not back when the absence ends: the missing procedure starts then, once.
    raised = unit_escalations_due(state, at + 2 * HOUR, POLICY)
    requested = [e for e in raised if isinstance(e, MissingProcedureRequested)]
    assert [(e.placement_id, e.reason) for e in requested] == [("PL-1", "absence_overran")]
    state = apply(state, raised)
    later = unit_escalations_due(state, at + 2 * HOUR + MINUTE, POLICY)
    assert not [e for e in later if isinstance(e, MissingProcedureRequested)]


def test_a_child_not_seen_requests_the_missing_procedure_once_until_seen_again() -> None:
    state = unit_with(("PL-1", RiskLevel.medium))
    at = OPENED + 30 * MINUTE
    events = decide_unit(
        state, check(state, at, **{"PL-1": Whereabouts.not_seen}), now=at, policy=POLICY
    )
    assert [e.type for e in events] == ["unit_check_recorded", "missing_procedure_requested"]
    state = apply(state, events)
    again = decide_unit(
        state,
        check(state, at + HOUR, **{"PL-1": Whereabouts.not_seen}),
        now=at + HOUR,
        policy=POLICY,
    )
    assert [e.type for e in again] == ["unit_check_recorded"]


def test_a_missed_check_climbs_to_each_manager_once() -> None:
    state = unit_with(("PL-1", RiskLevel.medium))
    raised: list[tuple[str, str]] = []
    moment = OPENED
    while (wake := next_wake_at(state, moment, POLICY)) is not None and wake < OPENED + 3 * HOUR:
        moment = wake
        events = unit_escalations_due(state, moment, POLICY)
        state = apply(state, events)
        raised += [
            (e.deadline_id, e.notify_role.value)
            for e in events
            if e.type == "unit_escalation_raised"
        ]  # type: ignore[union-attr]
    assert raised == [
        ("unit_check:1", "duty_manager"),
        ("unit_check:1", "registered_manager"),
    ]
    assert moment <= OPENED + HOUR + 45 * MINUTE


def test_a_house_meeting_must_discuss_phones_while_a_recent_arrival_lives_here() -> None:
    state = unit_with(("PL-1", RiskLevel.medium))
    at = OPENED + 2 * HOUR
    meeting = RecordHouseMeeting(
        actor=WORKER, held_at=at, phones_discussed=False, residents_present=1
    )
    with pytest.raises(DomainError, match="lending phones"):
        decide_unit(state, meeting, now=at, policy=POLICY)
    later = OPENED + timedelta(days=40)
    old_timer = meeting.model_copy(update={"held_at": later})
    assert [e.type for e in decide_unit(state, old_timer, now=later, policy=POLICY)] == [
        "house_meeting_held"
    ]


def test_a_building_concern_about_a_child_must_name_a_resident() -> None:
    state = unit_with(("PL-1", RiskLevel.medium))
    at = OPENED + HOUR
    concern = ConcernGiven(
        category="waiting_car", note_reference_or_text="LOG-44", placement_id="PL-9"
    )
    with pytest.raises(DomainError, match="does not live in this unit"):
        decide_unit(
            state,
            RecordBuildingCheck(actor=WORKER, checked_at=at, concerns=(concern,)),
            now=at,
            policy=POLICY,
        )


def test_the_handover_is_acknowledged_by_the_incoming_shift() -> None:
    state = unit_with(("PL-1", RiskLevel.medium))
    at = OPENED + HOUR
    own = AcknowledgeHandover(actor=WORKER, acknowledged_at=at, handed_over_by_reference="staff-17")
    with pytest.raises(DomainError, match="incoming shift"):
        decide_unit(state, own, now=at, policy=POLICY)
    ok = own.model_copy(update={"handed_over_by_reference": "staff-03"})
    state = apply(state, decide_unit(state, ok, now=at, policy=POLICY))
    assert state.last_handover_acknowledged_at == at


def test_a_handover_acknowledgement_is_refused_for_each_wrong_field_at_once() -> None:
    state = unit_with(("PL-1", RiskLevel.medium))
    at = OPENED + HOUR
    own_and_later = AcknowledgeHandover(
        actor=WORKER, acknowledged_at=at + HOUR, handed_over_by_reference="staff-17"
    )
    with pytest.raises(FieldsRefused) as refused:
        decide_unit(state, own_and_later, now=at, policy=POLICY)
    fields = [field for field, _ in refused.value.problems]
    assert fields == ["acknowledged_at", "handed_over_by_reference"]


def test_the_handover_shows_each_childs_placement_summary() -> None:
    child = placement("PL-1", OPENED, RiskLevel.high)
    state = unit_with(("PL-1", RiskLevel.high))
    view = unit_handover(state, {"PL-1": report(child, OPENED)}, OPENED + HOUR, POLICY)
    [resident] = view.residents
    own = handover_summary(child, OPENED + HOUR, Policy())
    assert resident.risk_level is RiskLevel.high
    assert resident.phone_held == own.phone_held
    assert {d.deadline_id for d in resident.due_next_24_hours + resident.overdue} == {
        d.deadline_id
        for d in own.open_deadlines + own.overdue_deadlines
        if d.due_at <= OPENED + HOUR + timedelta(hours=24)
    }


def test_a_missing_child_s_watch_is_neither_overdue_nor_due_in_the_handover() -> None:
    reported = OPENED + HOUR
    child = placement("PL-1", OPENED, RiskLevel.high)
    child = fold(
        decide(child, report_missing(OPENED + 30 * MINUTE), now=reported, policy=Policy()), child
    )
    state = unit_with(("PL-1", RiskLevel.high))
    view = unit_handover(state, {"PL-1": report(child, reported)}, reported + HOUR, POLICY)
    [resident] = view.residents
    assert resident.missing is True
    listed = resident.overdue + resident.due_next_24_hours
    assert "missing_episode" not in {d.kind for d in listed}
    assert "leaflet" in {d.kind for d in listed}


def test_unit_events_round_trip_through_their_stored_shape() -> None:
    state = unit_with(("PL-1", RiskLevel.medium))
    events = decide_unit(state, check(state, OPENED + MINUTE), now=OPENED + MINUTE, policy=POLICY)
    for event in events:
        type_name, schema_version, payload = unit_event_to_stored(event)
        header = {"type": type_name}
        assert unit_event_from_stored(type_name, schema_version, payload) == event, header
