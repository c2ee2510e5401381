"""The chronology in plain words: each event of a placement's audit trail as one sentence
("Reminder sent to the key worker: leaflet due in 4 h"), from the entry as the viewer may see
it (``audit_trail.AuditEntry``, redacted for their role). A value their role may not see reads
"hidden" in the sentence too; a sentence says nothing the row's own fields do not hold.

``SENTENCES`` has one entry per event type a placement's stream holds: the unit tests fail when
an event type is added without one. An entry of a type this release does not know (a row
written by a newer one) reads as its type's name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from markupsafe import Markup, escape

from starter.web.format import (
    as_datetime,
    duration_words,
    is_hidden,
    london_time,
    shown,
)
from starter.words import plain_words, words

# How a sentence names a role.
ROLE_NAMES = {
    "residential_worker": "residential worker",
    "key_worker": "key worker",
    "duty_manager": "Duty Manager",
    "registered_manager": "Registered Manager",
    "social_worker": "social worker",
    "independent_reviewing_officer": "Independent Reviewing Officer",
    "auditor": "auditor",
    "administrator": "administrator",
    "police": "police",
    "ukvi": "UK Visas and Immigration",
    "placing_authority": "placing authority",
    "host_local_authority": "host local authority",
    "interpreting_service": "interpreting service",
    "nrm": "National Referral Mechanism",
    "ofsted": "Ofsted",
    "system": "deadline clock",
}

_HIDDEN = shown("[redacted]")
_NOT_RECORDED = Markup("not recorded")


@dataclass(frozen=True)
class Entry:
    """One chronology entry, as the viewer may see it."""

    event_type: str
    occurred_at: Any
    actor_role: Any
    actor_ref: Any
    details: Mapping[str, Any]
    # A step done before Safeside, recorded when the placement was adopted.
    recorded_on_adoption: bool = False

    @classmethod
    def of(cls, entry: Mapping[str, Any]) -> Entry:
        details = entry.get("details")
        return cls(
            event_type=str(entry.get("event_type", "")),
            occurred_at=entry.get("occurred_at"),
            actor_role=entry.get("actor_role"),
            actor_ref=entry.get("actor_ref"),
            details=details if isinstance(details, Mapping) else {},
            recorded_on_adoption=entry.get("recorded_on_adoption") is True,
        )

    def value(self, key: str) -> Markup:
        """A detail as written ("hidden" for a value the viewer may not see)."""
        item = self.details.get(key)
        return _NOT_RECORDED if item is None else shown(item)

    def name(self, key: str) -> Markup:
        """A coded detail in plain words: ``high``, ``away without permission``."""
        item = self.details.get(key)
        if item is None:
            return _NOT_RECORDED
        return _HIDDEN if is_hidden(item) else escape(plain_words(item))

    def role(self, key: str) -> Markup:
        item = self.details.get(key)
        if item is None:
            return _NOT_RECORDED
        return _HIDDEN if is_hidden(item) else escape(ROLE_NAMES.get(str(item), words(item)))

    def time(self, key: str) -> Markup:
        """A time detail on the London clock: ``Mon 30 Nov 2026, 03:12 GMT``."""
        item = self.details.get(key)
        if item is None:
            return _NOT_RECORDED
        return _HIDDEN if is_hidden(item) else escape(london_time(item))

    def yes(self, key: str) -> bool | None:
        item = self.details.get(key)
        return item if isinstance(item, bool) else None

    def actor(self) -> Markup:
        """``key worker staff-17``: the role and the staff reference, never a name."""
        role = ROLE_NAMES.get(str(self.actor_role), words(self.actor_role))
        if self.actor_role == "system":
            return escape(f"the {role}")
        ref = self.actor_ref
        return Markup("{} {}").format(role, _HIDDEN if is_hidden(ref) else ref or "")


Sentence = Callable[[Entry], Markup]


def _said(template: str, *values: Any) -> Markup:
    return Markup(template).format(*values)


def _either(flag: bool | None, yes: str, no: str, unknown: str = "") -> str:
    return unknown if flag is None else (yes if flag else no)


def _escalation(e: Entry) -> Markup:
    """A reminder before the due time, or an escalation after it; a missing child's watch
    counts from the report."""
    kind, due_at = e.details.get("kind"), as_datetime(e.details.get("due_at"))
    raised_at = as_datetime(e.occurred_at)
    told = e.role("notify_role")
    if due_at is None or raised_at is None:
        return _said("Escalated to the {}: {}.", told, e.name("kind"))
    if kind == "missing_episode":
        return _said(
            "Escalated to the {}: missing for {}.", told, duration_words(raised_at - due_at)
        )
    if due_at - raised_at > timedelta(0):
        return _said(
            "Reminder sent to the {}: {} due in {}.",
            told,
            e.name("kind"),
            duration_words(due_at - raised_at),
        )
    late = raised_at - due_at
    when = "overdue by " + duration_words(late) if late >= timedelta(minutes=1) else "due now"
    return _said("Escalated to the {}: {} {}.", told, e.name("kind"), when)


def _interpreter(e: Entry) -> Markup:
    if e.details.get("interpreter_reference") is not None:
        return _said(" with interpreter {}", e.value("interpreter_reference"))
    return (
        Markup("")
        if e.yes("interpreter_needed") is not False
        else Markup(" (no interpreter needed)")
    )


def _missing_reported(e: Entry) -> Markup:
    grade = e.details.get("police_risk_grade")
    graded = (
        Markup("")
        if grade is None
        else _said("; police risk grade {}", e.name("police_risk_grade"))
    )
    kind = e.details.get("kind")
    what = "away without permission" if kind == "away_without_authorisation" else "missing"
    if is_hidden(kind):
        what = "missing or away"
    return _said(
        "Child reported {} by {}: last seen {}{}.", what, e.actor(), e.time("last_seen_at"), graded
    )


def _unverified_visit(e: Entry) -> Markup:
    proposed = _either(
        e.yes("visitor_was_proposed"), "not yet verified", "never proposed", "not verified"
    )
    return _said(
        "Visitor {} turned away ({}), {}.",
        e.value("visitor_reference"),
        proposed,
        e.time("attempted_at"),
    )


def _acknowledged(e: Entry) -> Markup:
    """A manager took the escalation of a deadline ("I am dealing with this")."""
    deadline = e.details.get("deadline_id")
    kind = _HIDDEN if is_hidden(deadline) else plain_words(str(deadline).partition(":")[0])
    return _said("Escalation of the {} acknowledged by {}: dealing with it.", kind, e.actor())


_ENDED = {
    "moved": "the child moved",
    "discharged": "the child was discharged",
    "turned_18": "the child turned 18",
}


def _overdue_at_adoption(e: Entry) -> Markup:
    overdue = e.details.get("overdue_deadlines")
    if is_hidden(overdue):
        return _said("Adopted: the deadlines already overdue are {}.", _HIDDEN)
    items = [item for item in overdue or () if isinstance(item, Mapping)]
    if not items:
        return Markup("Adopted: nothing was overdue; reminders already past were not sent.")
    each = [Entry.of({"details": item}) for item in items]
    listed = Markup("; ").join(_said("{} due {}", d.name("kind"), d.time("due_at")) for d in each)
    return _said(
        "Adopted with {} already overdue: {}. The Registered Manager is told, once.",
        f"{len(items)} deadline{'s' if len(items) != 1 else ''}",
        listed,
    )


SENTENCES: dict[str, Sentence] = {
    "placement_started": lambda e: _said(
        "Placement started in unit {}: the child arrived {}; risk on arrival {}.",
        e.value("unit_id"),
        e.time("arrived_at"),
        e.name("initial_risk_level"),
    ),
    "policy_changed": lambda e: Markup(
        "The placement's policy changed: its clocks were worked out again."
    ),
    "interpreter_requested": lambda e: _said("Interpreter requested for {}.", e.value("language")),
    "leaflet_delivered": lambda e: _said(
        "Leaflet explained in {}{}, {}. What the child understood: {}.",
        e.value("language"),
        _interpreter(e),
        e.time("delivered_at"),
        e.value("child_understanding"),
    ),
    "missing_procedures_explained": lambda e: _said(
        "Missing procedures explained to the child{}, {}.", _interpreter(e), e.time("explained_at")
    ),
    "risk_assessed": lambda e: _said(
        "Risk assessed as {}, {}: {}. The child {}.",
        e.name("level"),
        e.time("assessed_at"),
        e.value("factors"),
        _either(
            e.yes("child_participated"),
            "took part",
            "did not take part",
            "took part or not: hidden",
        ),
    ),
    "planning_meeting_held": lambda e: _said(
        "Planning meeting held {}; the young person {}.",
        e.time("held_at"),
        _either(
            e.yes("young_person_present"), "was there", "was not there", "was there or not: hidden"
        ),
    ),
    "looked_after_review_held": lambda e: _said(
        "Looked after review held {}, chaired by the Independent Reviewing Officer {}.",
        e.time("held_at"),
        e.value("chaired_by_iro_reference"),
    ),
    "social_worker_visited": lambda e: _said(
        "Social worker {} visited {}; the child was {}.",
        e.value("social_worker_reference"),
        e.time("visited_at"),
        _either(
            e.yes("child_seen_alone"), "seen alone", "not seen alone", "seen alone or not: hidden"
        ),
    ),
    "nrm_referral_made": lambda e: _said(
        "NRM referral made {}, reference {}.", e.time("referred_at"), e.value("referral_reference")
    ),
    "risk_level_changed": lambda e: _said(
        "Risk level changed from {} to {}: {}.",
        e.name("from_level"),
        e.name("to_level"),
        e.value("reason"),
    ),
    "observation_recorded": lambda e: _said(
        "Observation ({}), {}: {}.",
        e.value("category"),
        e.time("observed_at"),
        e.value("note_reference_or_text"),
    ),
    "deadline_missed": lambda e: _said(
        "Deadline missed: {} was due {}.", e.name("kind"), e.time("due_at")
    ),
    "escalation_raised": _escalation,
    "escalation_acknowledged": _acknowledged,
    "notification_failed": lambda e: _said(
        "A notice to the {} could not be delivered after every retry: {}.",
        e.role("recipient"),
        e.name("purpose"),
    ),
    "placement_ended": lambda e: _said(
        "Placement ended {}: {}.",
        e.time("ended_at"),
        _ENDED.get(str(e.details.get("reason")), e.name("reason")),
    ),
    "break_glass_opened": lambda e: _said(
        "Record opened by break-glass until {}: {}.", e.time("until"), e.value("reason")
    ),
    "overdue_at_adoption": _overdue_at_adoption,
    "missing_reported": _missing_reported,
    "philomena_profile_recorded": lambda e: _said(
        "Philomena Protocol profile (part 1) recorded by {}: for the police if the child "
        "goes missing.",
        e.actor(),
    ),
    "child_returned": lambda e: _said(
        "Child returned {}, found or brought back by {}.",
        e.time("returned_at"),
        e.value("found_by_reference"),
    ),
    "return_interview_held": lambda e: _said(
        "Return home interview held {} by {}.", e.time("held_at"), e.value("interviewer_reference")
    ),
    "police_acknowledged": lambda e: _said(
        "Police acknowledged missing episode {} {}: their reference {}.",
        e.value("episode_id"),
        e.time("police_acknowledged_at"),
        e.value("police_reference"),
    ),
    "enquiry_recorded": lambda e: _said(
        "Enquiry about the child ({}) from {}, {}: nothing was said of where the child is.",
        e.name("channel"),
        e.value("enquirer_reference"),
        e.time("received_at"),
    ),
    "visitor_proposed": lambda e: _said(
        "Visitor {} proposed ({}): the social worker checks them first.",
        e.value("visitor_reference"),
        e.value("stated_relationship"),
    ),
    "visitor_verified": lambda e: _said(
        "Visitor {} verified by the social worker, interviewed {}.",
        e.value("visitor_reference"),
        e.time("interviewed_at"),
    ),
    "visit_recorded": lambda e: _said(
        "Visit by {}, {}.", e.value("visitor_reference"), e.time("visited_at")
    ),
    "unverified_visit_attempted": _unverified_visit,
    "phone_release_confirmed": lambda e: _said(
        "The social worker confirmed in writing ({}) that the phone may be given back, {}.",
        e.value("confirmation_reference"),
        e.time("confirmed_at"),
    ),
    "restriction_imposed": lambda e: _said(
        "Restriction of {} imposed from {}, to be reviewed by {}: {}.",
        e.name("kind"),
        e.time("starts_at"),
        e.time("review_by"),
        e.value("reason"),
    ),
    "restriction_renewed": lambda e: _said(
        "Restriction of {} kept after review, next review by {}: {}.",
        e.name("kind"),
        e.time("review_by"),
        e.value("reason"),
    ),
    "restriction_lifted": lambda e: _said(
        "Restriction of {} lifted {}: {}.", e.name("kind"), e.time("lifted_at"), e.value("reason")
    ),
    "contact_assessment_requested": lambda e: _said(
        "Contact assessment requested for {} ({}).",
        e.value("contact_person_reference"),
        e.value("relationship"),
    ),
    "contact_assessed": lambda e: _said(
        "Contact with {} assessed as {}, {}.",
        e.value("contact_person_reference"),
        e.name("outcome"),
        e.time("assessed_at"),
    ),
    "family_contact_recorded": lambda e: _said(
        "Family contact with {} by {}, {}.",
        e.value("contact_person_reference"),
        e.name("means"),
        e.time("contact_at"),
    ),
    "suspicious_activity_recorded": lambda e: _said(
        "Suspicious activity ({}), {}: {}. The Duty Manager is told.",
        e.name("category"),
        e.time("observed_at"),
        e.value("note_reference_or_text"),
    ),
}


def sentence(entry: Mapping[str, Any]) -> Markup:
    """The chronology entry (as the viewer may see it: redacted) as one sentence."""
    read = Entry.of(entry)
    said = SENTENCES.get(read.event_type)
    if said is None:
        return escape(words(read.event_type) + ".")
    if read.recorded_on_adoption:
        return Markup("Recorded on adoption (done before Safeside): ") + said(read)
    return said(read)
