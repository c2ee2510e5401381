"""A minimal valid request body for every action, unit duty and web form the need-to-know
matrix sends (the domain may still refuse some of them with its reason: 409)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from starter.web.uk_time import moment_parts


def _now() -> str:
    return datetime.now(UTC).isoformat()


def action_bodies() -> dict[str, dict[str, Any]]:
    """A valid body for every placement action (the domain may still refuse some: 409)."""
    at = _now()
    return {
        "leaflet-delivered": {"language": "Tigrinya", "interpreter_reference": "INT-1",
                              "child_understanding": "understood", "delivered_at": at},
        "missing-procedures-explained": {"explained_at": at, "interpreter_reference": "INT-1"},
        "risk-assessment": {"level": "medium", "factors": ["a factor"],
                            "child_participated": True, "child_views": "views",
                            "assessed_at": at},
        "planning-meeting": {"held_at": at, "young_person_present": True},
        "looked-after-review": {"held_at": at, "child_views": "views"},
        "social-worker-visit": {"visited_at": at, "child_seen_alone": True},
        "nrm-referral": {"referred_at": at, "referral_reference": "NRM-1"},
        "change-risk-level": {"to_level": "low", "reason": "a reason"},
        "observation": {"category": "mood", "note_reference_or_text": "LOG-1",
                        "observed_at": at},
        "end-placement": {"reason": "moved", "ended_at": at},
        "report-missing": {"kind": "missing", "last_seen_at": at, "clothing_reference": "C-1"},
        "philomena-profile": {"physical_description": "slight build",
                              "photograph_references": ["PH-1"]},
        "return": {"returned_at": at, "found_by_reference": "F-1",
                   "where_found_reference": "W-1"},
        "return-interview": {"episode_id": "PL-x-M1", "held_at": at},
        "police-acknowledgement": {"episode_id": "PL-x-M1", "police_acknowledged_at": at,
                                   "police_reference": "CAD-1"},
        "enquiry": {"channel": "phone", "received_at": at},
        "propose-visitor": {"visitor_reference": "V-1"},
        "visitor-verified": {"visitor_reference": "V-1", "interviewed_at": at,
                             "identity_established": True, "relationship_established": True},
        "visit": {"visitor_reference": "V-1", "visited_at": at},
        "unverified-visit-attempt": {"visitor_reference": "V-2", "attempted_at": at},
        "phone-release-confirmed": {"confirmation_reference": "E-1", "confirmed_at": at},
        "impose-restriction": {"kind": "internet", "reason": "a reason", "starts_at": at},
        "renew-restriction": {"kind": "internet", "reason": "a reason"},
        "lift-restriction": {"kind": "internet", "reason": "a reason", "lifted_at": at},
        "request-contact-assessment": {"contact_person_reference": "CP-1"},
        "contact-assessment": {"contact_person_reference": "CP-1", "outcome": "safe",
                               "assessed_at": at},
        "family-contact": {"contact_person_reference": "CP-1", "means": "phone",
                           "contact_at": at},
        "suspicious-activity": {"category": "waiting_car", "note_reference_or_text": "N-1",
                                "observed_at": at},
        "acknowledge-escalation": {"deadline_id": "leaflet", "step_index": 1},
    }  # fmt: skip


def unit_bodies(residents: list[str]) -> dict[str, dict[str, Any]]:
    """A valid body for every unit duty, by the last part of its path."""
    at = _now()
    return {
        "checks": {"checked_at": at,
                   "entries": [{"placement_id": p, "whereabouts": "seen"} for p in residents]},
        "house-meetings": {"held_at": at, "phones_discussed": True},
        "building-checks": {"checked_at": at},
        "acknowledgements": {"acknowledged_at": at, "handed_over_by_reference": "staff-09"},
    }  # fmt: skip


def web_forms(residents: list[str], by: str) -> dict[str, dict[str, str]]:
    """A valid form for every form the placement's and the unit's pages post, by path end,
    posted by ``by``; times in UK order on the London clock, each part its own input."""
    moment = datetime.now(UTC) - timedelta(minutes=1)

    def at(name: str) -> dict[str, str]:
        return moment_parts(name, moment)

    return {
        "observation": {"category": "mood", "note_reference_or_text": "LOG-1"}
        | at("observed_at"),
        "leaflet-delivered": {"language": "Tigrinya", "interpreter_reference": "INT-1",
                              "child_understanding": "understood"} | at("delivered_at"),
        "risk-assessment": {"level": "medium", "factors": "a factor",
                            "child_participated": "yes", "child_views": "views"}
        | at("assessed_at"),
        "report-missing": {"kind": "missing", "clothing_reference": "C-1",
                           "last_seen_place_reference": "P-1", "circumstances": "c"}
        | at("last_seen_at"),
        "return": {"found_by_reference": "F-1", "where_found_reference": "W-1"}
        | at("returned_at"),
        "philomena-profile": {"physical_description": "slight build",
                              "photograph_references": "PH-1\nPH-2"},
        "police-acknowledgement": {"episode_id": "PL-x-M1", "police_reference": "CAD-1"}
        | at("police_acknowledged_at"),
        "break-glass": {"reason": "covering the night shift"},
        # Today's "I am dealing with this": the deadline and step of the escalation.
        "acknowledge-escalation": {"deadline_id": "leaflet", "step_index": "1"},
        # Handed over by the other of the unit's staff (staff-01 and staff-17).
        "acknowledge": {"handed_over_by_reference": "staff-17" if by == "staff-01" else "staff-01"},
        "checks": {"residents": ",".join(residents)} | at("checked_at")
        | {f"whereabouts-{p}": "seen" for p in residents},
    }  # fmt: skip
