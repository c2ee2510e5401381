"""A missing child as an alert: the tab's title has a count only; the live region speaks when
the children missing change, and only then; what the viewer may not see stays hidden."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from safeside.redact import REDACTED
from starter.web.missing_alert import announcement, from_today, tab_title

NOW = datetime(2026, 11, 30, 3, 12, tzinfo=UTC)


def child(placement_id: str = "PL-2031", **changes: Any) -> dict[str, Any]:
    """A child of Today's "Missing now", as ``reading.missing_now`` answers it."""
    return {
        "placement_id": placement_id, "unit_id": "UNIT-7", "kind": "missing",
        "since": NOW - timedelta(minutes=10), "last_seen_at": NOW - timedelta(minutes=40),
        "police_risk_grade": None, "next_step_name": "duty_manager",
        "next_step_at": NOW + timedelta(hours=23, minutes=50), "episode_id": f"{placement_id}-M1",
        "actor_role": "key_worker", "actor_ref": "staff-17",
        "last_seen_place_reference": "bus stop, ref LS-4",
        "circumstances": "did not come back from school", "clothing_reference": "PHILOMENA-2-18",
        "description_reference": None, "known_whereabouts_reference": None,
        "delivery_status": "delivered", "delivered_at": NOW - timedelta(minutes=9),
        "attempts": 1, "police_acknowledged_at": None, "police_reference": None,
        **changes,
    }  # fmt: skip


def test_the_tab_title_counts_the_children_missing_and_names_none() -> None:
    assert tab_title(1, "Today") == "(1 missing) Today"
    assert tab_title(3, "Today") == "(3 missing) Today"
    assert tab_title(0, "Today") == "Today"


def test_a_child_newly_missing_is_announced() -> None:
    assert announcement([], ["PL-2031"]) == (
        "Reported missing: placement PL-2031. 1 child missing now."
    )
    assert announcement(["PL-1"], ["PL-1", "PL-2031"]) == (
        "Reported missing: placement PL-2031. 2 children missing now."
    )


def test_the_same_children_missing_are_not_announced_again() -> None:
    assert announcement(["PL-1", "PL-2031"], ["PL-2031", "PL-1"]) is None
    # A page that did not say what it showed (its first load) hears nothing either.
    assert announcement(None, ["PL-2031"]) is None


def test_a_child_back_is_announced_with_the_children_still_missing() -> None:
    assert announcement(["PL-1", "PL-2031"], ["PL-1"]) == (
        "No longer missing: placement PL-2031. 1 child missing now."
    )
    assert (
        announcement(["PL-1"], []) == "No longer missing: placement PL-1. No child is missing now."
    )


def test_the_alert_holds_who_reported_the_police_notice_and_the_proforma_references() -> None:
    alert = from_today(child(), notices_shown=True)
    assert (alert.reported_by_role, alert.reported_by_ref) == ("key_worker", "staff-17")
    assert alert.police_notice is not None
    assert alert.police_notice.delivery_status == "delivered"
    assert alert.handover == (
        ("Where last seen", "bus stop, ref LS-4"),
        ("Circumstances", "did not come back from school"),
        ("Clothing (Philomena Protocol part 2)", "PHILOMENA-2-18"),
    )


def test_what_the_viewer_may_not_see_stays_hidden_in_the_alert() -> None:
    hidden = child(actor_ref=REDACTED, last_seen_place_reference=REDACTED, circumstances=REDACTED)
    alert = from_today(hidden, notices_shown=False)
    assert alert.reported_by_ref == REDACTED
    assert dict(alert.handover)["Where last seen"] == REDACTED
    assert "bus stop" not in repr(alert)
