"""Events are stored by a stable name and read back exactly, old shapes included."""

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from tests.unit.domain.builders import ARRIVED, escalation_raised, event_header, placement_started
from workflows.domain.common import RiskLevel
from workflows.domain.errors import DomainError
from workflows.domain.events import (
    PLACEMENT_EVENTS,
    DeadlineMissed,
    InterpreterRequested,
    LeafletDelivered,
    LookedAfterReviewHeld,
    MissingProceduresExplained,
    NrmReferralMade,
    ObservationRecorded,
    PlacementEnded,
    PlacementEvent,
    PlanningMeetingHeld,
    RiskAssessed,
    RiskLevelChanged,
    SocialWorkerVisited,
    event_from_stored,
    event_to_stored,
)

AT = ARRIVED


def one_of_each() -> list[PlacementEvent]:
    return [
        placement_started(first_language="Vietnamese", initial_risk_level=RiskLevel.high),
        InterpreterRequested(**event_header(2), language="Vietnamese"),
        LeafletDelivered(
            **event_header(3),
            language="Vietnamese",
            interpreter_reference="int-5521",
            child_understanding="understood",
            delivered_at=AT,
        ),
        MissingProceduresExplained(**event_header(4), explained_at=AT),
        RiskAssessed(
            **event_header(5),
            level=RiskLevel.high,
            factors=("debt bondage", "phone contact"),
            child_participated=False,
            child_views="did not want to talk today",
            assessed_at=AT,
        ),
        PlanningMeetingHeld(
            **event_header(6),
            held_at=AT,
            young_person_present=False,
            absence_reason="unwell",
            child_views="told key worker she feels safe",
        ),
        LookedAfterReviewHeld(
            **event_header(7), held_at=AT, chaired_by_iro_reference="iro-12", child_views="settled"
        ),
        SocialWorkerVisited(
            **event_header(8),
            visited_at=AT,
            social_worker_reference="sw-3301",
            child_seen_alone=False,
        ),
        NrmReferralMade(**event_header(9), referred_at=AT, referral_reference="nrm-2026-0042"),
        RiskLevelChanged(
            **event_header(10),
            from_level=RiskLevel.high,
            to_level=RiskLevel.medium,
            reason="settled",
        ),
        ObservationRecorded(
            **event_header(11), category="phone", note_reference_or_text="log p.3", observed_at=AT
        ),
        DeadlineMissed(**event_header(12), deadline_id="sw_visit:2", kind="sw_visit", due_at=AT),
        escalation_raised(13, deadline_id="sw_visit:2", kind="sw_visit"),
        PlacementEnded(**event_header(14), reason="moved", ended_at=AT),
    ]


def test_every_event_reads_back_exactly_as_it_was_stored() -> None:
    for event in one_of_each():
        type_name, schema_version, payload = event_to_stored(event)
        stored_as_json = json.loads(json.dumps(payload))
        assert event_from_stored(type_name, schema_version, stored_as_json) == event


def test_events_are_stored_by_a_stable_snake_case_name_not_a_python_path() -> None:
    names = [event_to_stored(event)[0] for event in one_of_each()]
    assert names[:3] == ["placement_started", "interpreter_requested", "leaflet_delivered"]
    assert all("." not in name and name == name.lower() for name in names)


def test_the_stored_payload_leaves_the_name_and_schema_version_to_their_own_columns() -> None:
    type_name, schema_version, payload = event_to_stored(one_of_each()[1])
    assert (type_name, schema_version) == ("interpreter_requested", 1)
    assert "type" not in payload
    assert "schema_version" not in payload
    assert payload["occurred_at"] == "2026-03-02T18:30:00Z"


def test_an_unknown_stored_type_is_refused() -> None:
    with pytest.raises(DomainError, match="unknown type 'child_vanished'"):
        event_from_stored("child_vanished", 1, {})


def test_a_schema_version_newer_than_this_release_is_refused() -> None:
    type_name, _, payload = event_to_stored(one_of_each()[1])
    with pytest.raises(DomainError, match="reads versions 1 to 1"):
        event_from_stored(type_name, 2, payload)


def test_an_older_shape_is_upcast_on_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pretend version 1 of observation_recorded called its text "note".
    def rename_note(payload: dict[str, object]) -> dict[str, object]:
        shape = dict(payload)
        shape["note_reference_or_text"] = shape.pop("note")
        return shape

    monkeypatch.setitem(PLACEMENT_EVENTS.current_schema_versions, "observation_recorded", 2)
    monkeypatch.setitem(PLACEMENT_EVENTS.upcasters, ("observation_recorded", 1), rename_note)
    old_row: dict[str, object] = {
        "stream_id": "pl-0001",
        "version": 11,
        "occurred_at": "2026-03-02T18:30:00Z",
        "actor": {"role": "key_worker", "reference": "staff-021"},
        "category": "phone",
        "note": "log p.3",
        "observed_at": "2026-03-02T18:30:00Z",
    }

    event = event_from_stored("observation_recorded", 1, old_row)
    assert isinstance(event, ObservationRecorded)
    assert event.note_reference_or_text == "log p.3"
    assert event.schema_version == 2


def test_events_cannot_be_changed_once_made() -> None:
    event = one_of_each()[1]
    with pytest.raises(ValidationError):
        event.version = 99  # type: ignore[misc]


def test_times_are_kept_in_utc() -> None:
    london_summer = timezone(timedelta(hours=1))
    event = MissingProceduresExplained(
        **event_header(), explained_at=datetime(2026, 6, 1, 10, 0, tzinfo=london_summer)
    )
    assert event.explained_at == datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    assert event.explained_at.tzinfo is UTC


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValidationError):
        MissingProceduresExplained(**event_header(), explained_at=datetime(2026, 6, 1, 10, 0))


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        InterpreterRequested(**event_header(), language="Dari", child_name="not allowed")  # type: ignore[call-arg]


def test_a_placement_id_cannot_carry_a_name_or_an_address() -> None:
    with pytest.raises(ValidationError):
        InterpreterRequested(**{**event_header(), "stream_id": "12 Acacia Avenue"}, language="Dari")


def test_versions_start_at_one() -> None:
    with pytest.raises(ValidationError):
        InterpreterRequested(**event_header(0), language="Dari")


def test_a_risk_assessment_needs_at_least_one_factor() -> None:
    with pytest.raises(ValidationError):
        RiskAssessed(
            **event_header(),
            level=RiskLevel.low,
            factors=(),
            child_participated=True,
            child_views="fine",
            assessed_at=AT,
        )


def test_the_union_picks_the_event_class_from_its_type() -> None:
    payload = {**event_header(), "type": "interpreter_requested", "language": "Dari"}
    assert isinstance(PLACEMENT_EVENTS.adapter.validate_python(payload), InterpreterRequested)
