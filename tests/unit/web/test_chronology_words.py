"""The chronology reads each event as a sentence, for every event type a placement's stream
holds, and says no more than the viewer's redacted row does."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from markupsafe import Markup

from safeside.need_to_know import visible_fields
from safeside.redact import redact
from starter.web.chronology_words import SENTENCES, sentence
from workflows.domain.common import Role
from workflows.domain.events import PLACEMENT_EVENTS
from workflows.domain.policy import Policy

NOW = datetime(2026, 11, 30, 3, 12, tzinfo=UTC)
AT = NOW.isoformat()
EARLIER = (NOW - timedelta(hours=2)).isoformat()
LATER = (NOW + timedelta(days=7)).isoformat()
# Who recorded it: the audit trail's actor, by role and staff reference.
BY = {"role": "key_worker", "reference": "staff-17"}
BY_THE_CLOCK = {"role": "system", "reference": "deadline-clock"}

# One event of every type, as a person would record it (the clock records the last few).
SAMPLES: dict[str, dict[str, Any]] = {
    "placement_started": {
        "placement_id": "PL-2031", "case_reference": "CASE-88412", "unit_id": "UNIT-7",
        "first_language": "Tigrinya", "looked_after_since": "2026-11-28", "arrived_at": EARLIER,
        "placing_authority": "Example Borough Council", "social_worker_reference": "sw-204",
        "initial_risk_level": "high", "ukvi_relevant": True,
    },
    "policy_changed": {"policy": Policy().model_dump(mode="json")},
    "interpreter_requested": {"language": "Tigrinya"},
    "leaflet_delivered": {
        "language": "Tigrinya", "interpreter_reference": "INT-55",
        "child_understanding": "understood; asked about phones", "delivered_at": AT,
    },
    "missing_procedures_explained": {"explained_at": AT, "interpreter_reference": "INT-55"},
    "risk_assessed": {
        "level": "high", "factors": ["unknown adult called the unit"],
        "child_participated": True, "child_views": "wants to stay", "assessed_at": AT,
    },
    "planning_meeting_held": {
        "held_at": AT, "young_person_present": False, "absence_reason": "at school",
        "child_views": "wants to go to college",
    },
    "looked_after_review_held": {
        "held_at": AT, "chaired_by_iro_reference": "iro-9", "child_views": "happy here",
    },
    "social_worker_visited": {
        "visited_at": AT, "social_worker_reference": "sw-204", "child_seen_alone": True,
    },
    "nrm_referral_made": {"referred_at": AT, "referral_reference": "NRM-7731"},
    "risk_level_changed": {"from_level": "medium", "to_level": "high", "reason": "went missing"},
    "observation_recorded": {
        "category": "whereabouts check", "note_reference_or_text": "in room", "observed_at": AT,
    },
    "deadline_missed": {"deadline_id": "leaflet", "kind": "leaflet", "due_at": EARLIER},
    "escalation_raised": {
        "deadline_id": "leaflet", "kind": "leaflet", "step_index": 0, "step_name": "reminder",
        "notify_role": "key_worker", "due_at": (NOW + timedelta(hours=4)).isoformat(),
    },
    "escalation_acknowledged": {"deadline_id": "leaflet", "step_index": 1},
    "notification_failed": {
        "idempotency_key": "PL-2031:4:police", "recipient": "police",
        "purpose": "missing_children_proforma", "about_version": 4,
    },
    "placement_ended": {"reason": "moved", "ended_at": AT},
    "break_glass_opened": {"reason": "child missing, own manager off duty", "until": LATER},
    "missing_reported": {
        "episode_id": "PL-2031-M1", "kind": "missing", "last_seen_at": EARLIER,
        "last_seen_place_reference": "bus stop, ref LS-4",
        "circumstances": "did not come back from school", "police_risk_grade": "high",
        "clothing_reference": "PHILOMENA-2-18",
    },
    "child_returned": {
        "episode_id": "PL-2031-M1", "returned_at": AT, "found_by_reference": "PC-4471",
        "where_found_reference": "ref WF-2",
    },
    "return_interview_held": {
        "episode_id": "PL-2031-M1", "held_at": AT, "interviewer_reference": "sw-204",
        "child_views": "was scared",
    },
    "police_acknowledged": {
        "episode_id": "PL-2031-M1", "police_acknowledged_at": AT, "police_reference": "CAD-5521",
    },
    "enquiry_recorded": {
        "channel": "phone", "enquirer_reference": "ENQ-3", "question": "is she there?",
        "received_at": AT,
    },
    "visitor_proposed": {"visitor_reference": "VIS-2", "stated_relationship": "aunt"},
    "visitor_verified": {"visitor_reference": "VIS-2", "interviewed_at": AT},
    "visit_recorded": {"visitor_reference": "VIS-2", "visited_at": AT},
    "unverified_visit_attempted": {
        "visitor_reference": "VIS-9", "attempted_at": AT, "visitor_was_proposed": False,
    },
    "phone_release_confirmed": {"confirmation_reference": "LTR-12", "confirmed_at": AT},
    "restriction_imposed": {
        "kind": "internet", "reason": "online grooming risk", "starts_at": AT, "review_by": LATER,
    },
    "restriction_renewed": {"kind": "internet", "reason": "risk remains", "review_by": LATER},
    "restriction_lifted": {"kind": "internet", "reason": "risk reduced", "lifted_at": AT},
    "contact_assessment_requested": {"contact_person_reference": "CP-4", "relationship": "uncle"},
    "contact_assessed": {
        "contact_person_reference": "CP-4", "outcome": "safe", "assessed_at": AT,
        "assessment_reference": "CA-1",
    },
    "family_contact_recorded": {
        "contact_person_reference": "CP-4", "means": "video_call", "contact_at": AT,
    },
    "suspicious_activity_recorded": {
        "category": "waiting_car", "note_reference_or_text": "grey car, log 14", "observed_at": AT,
    },
    "philomena_profile_recorded": {
        "physical_description": "slight build, scar on left hand",
        "photograph_references": ["PH-1"], "known_place_references": ["PLACE-3"],
    },
    "overdue_at_adoption": {
        "overdue_deadlines": [
            {"deadline_id": "nrm_referral", "kind": "nrm_referral", "due_at": EARLIER},
        ],
        "passed_steps": [["nrm_referral", 0]],
    },
}  # fmt: skip
BY_CLOCK = frozenset({"deadline_missed", "escalation_raised"})
EVENT_TYPES = sorted(PLACEMENT_EVENTS.current_schema_versions)


def entry(event_type: str, role: Role | None = None, **changes: Any) -> dict[str, Any]:
    """The sample as the chronology holds it (``AuditEntry``), redacted for ``role``: the
    sample passes the domain's own event model first, so its fields are the event's."""
    actor = BY_THE_CLOCK if event_type in BY_CLOCK else BY
    payload = {
        "stream_id": "PL-2031", "version": 5, "occurred_at": AT, "actor": actor,
        **SAMPLES[event_type], **changes,
    }  # fmt: skip
    version = PLACEMENT_EVENTS.current_schema_versions[event_type]
    event = PLACEMENT_EVENTS.from_stored(event_type, version, payload)
    _, _, stored = PLACEMENT_EVENTS.to_stored(event)
    header = {"stream_id", "version", "occurred_at", "actor"}
    row = {
        "version": 5,
        "occurred_at": AT,
        "event_type": event_type,
        "actor_role": actor["role"],
        "actor_ref": actor["reference"],
        "details": {k: v for k, v in stored.items() if k not in header},
    }
    return row if role is None else redact(row, visible_fields(role))


def text(said: Markup) -> str:
    """What a person reads: the words, without the markup of a hidden value."""
    return re.sub(r"<[^>]+>", "", str(said))


def test_every_event_type_a_placement_records_has_a_sentence() -> None:
    # A new event type fails here until it has a sentence (and a sample above).
    assert sorted(SENTENCES) == EVENT_TYPES
    assert sorted(SAMPLES) == EVENT_TYPES


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_each_entry_reads_as_a_sentence_not_as_raw_fields(event_type: str) -> None:
    said = text(sentence(entry(event_type)))
    assert said[0].isupper(), said
    assert said.endswith("."), said
    # No field names, no raw codes, nothing missing.
    assert "_" not in said, said
    for raw in ("Step index", "Notify role", "None", "[redacted]", "not recorded"):
        assert raw not in said, said


def test_a_reminder_says_to_whom_and_how_long_before_the_deadline() -> None:
    assert text(sentence(entry("escalation_raised"))) == (
        "Reminder sent to the key worker: leaflet due in 4 h."
    )


def test_an_escalation_says_to_whom_and_how_long_overdue() -> None:
    late = entry(
        "escalation_raised",
        step_index=1,
        step_name="duty_manager",
        notify_role="duty_manager",
        due_at=(NOW - timedelta(hours=2)).isoformat(),
    )
    assert text(sentence(late)) == "Escalated to the Duty Manager: leaflet overdue by 2 h."


def test_a_missing_child_s_watch_says_how_long_they_have_been_missing() -> None:
    watch = entry(
        "escalation_raised",
        deadline_id="missing_episode:PL-2031-M1",
        kind="missing_episode",
        step_name="duty_manager",
        notify_role="duty_manager",
        due_at=(NOW - timedelta(hours=24)).isoformat(),
    )
    assert text(sentence(watch)) == "Escalated to the Duty Manager: missing for 1 day."


def test_a_missing_report_names_who_reported_it_by_role_and_staff_reference() -> None:
    assert text(sentence(entry("missing_reported"))) == (
        "Child reported missing by key worker staff-17: last seen Mon 30 Nov 2026, 01:12 GMT; "
        "police risk grade high."
    )


def test_dates_are_in_uk_form_on_the_london_clock() -> None:
    said = text(sentence(entry("police_acknowledged")))
    assert said == (
        "Police acknowledged missing episode PL-2031-M1 Mon 30 Nov 2026, 03:12 GMT: "
        "their reference CAD-5521."
    )


@pytest.mark.parametrize("role", [Role.auditor, Role.independent_reviewing_officer])
@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_a_sentence_says_nothing_the_viewer_s_row_hides(event_type: str, role: Role) -> None:
    full = entry(event_type)
    row = entry(event_type, role)
    said = str(sentence(row))
    hidden = [
        str(value)
        for key, value in full["details"].items()
        if row["details"].get(key) == "[redacted]" and isinstance(value, str) and len(value) > 3
    ]
    if row["actor_ref"] == "[redacted]":
        hidden.append(full["actor_ref"])
    for value in hidden:
        assert value not in said, (value, said)


def test_a_hidden_value_reads_hidden_in_the_sentence() -> None:
    said = sentence(entry("missing_reported", Role.auditor))
    assert text(said) == (
        "Child reported missing by key worker hidden: last seen Mon 30 Nov 2026, 01:12 GMT; "
        "police risk grade high."
    )
    assert '<span class="hidden-value">hidden</span>' in str(said)


def test_an_event_type_this_release_does_not_know_reads_as_its_name() -> None:
    unknown = {"event_type": "something_new", "actor_role": "key_worker", "details": {}}
    assert text(sentence(unknown)) == "Something new."


def test_a_step_recorded_on_adoption_says_so_and_what_was_overdue_is_listed() -> None:
    adopted = entry("leaflet_delivered") | {"recorded_on_adoption": True}

    assert text(sentence(adopted)).startswith("Recorded on adoption (done before Safeside): ")
    assert text(sentence(entry("overdue_at_adoption"))) == (
        "Adopted with 1 deadline already overdue: NRM referral due Mon 30 Nov 2026, 01:12 GMT. "
        "The Registered Manager is told, once."
    )
