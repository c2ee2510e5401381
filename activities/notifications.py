"""Notifications to partner agencies and roles (R3, R5, R7, R14): their content.

The content is built from the placement's state when the event is appended, and kept on the
outbox row, so a delivery months later sends what was true then. It carries opaque
references only (case reference, placement id, unit id, deadline kind and due time, risk
level). Content for a purpose with more to say is built by the function registered for that
purpose in ``CONTENT_BUILDERS``: the Missing Children's Proforma for the police (R5) is one.

Where a child was last seen, is, or was found (the domain's ``LOCATION_FIELDS``), and the unit
or a unit check that names it, reach only the roles in ``LOCATION_ENTITLED_ROLES``, and so does
the Philomena Protocol profile (part 1, with the proforma): ``build_content`` removes those
fields from every other recipient's details, whatever a builder put there (``redacted_for``);
a staff role's details are then redacted by the same allow-list as its answers in the API
(``safeside.need_to_know``).

Delivery, from the outbox row, is ``activities.outbox``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from activities.messages import NotificationContent
from safeside.contracts import activities as contract
from safeside.need_to_know import DECIDED_ROLES, visible_fields
from safeside.need_to_know_fields import FIELDS, FieldGroup
from safeside.redact import redact
from workflows.domain.common import LOCATION_ENTITLED_ROLES, Role
from workflows.domain.events import PlacementEvent
from workflows.domain.notices import MISSING_CHILDREN_PROFORMA
from workflows.domain.state import PlacementState

ContentDetails = Callable[[PlacementState, PlacementEvent], dict[str, Any]]


def _event_fields(*names: str) -> ContentDetails:
    """Details copied from the event, by field name: a field the event does not have is a
    ``KeyError`` here, not a silent blank in a message to the police."""

    def details(state: PlacementState, event: PlacementEvent) -> dict[str, Any]:
        fields = event.model_dump(mode="json")
        return {name: fields[name] for name in names}

    return details


_deadline_details = _event_fields("deadline_id", "kind", "due_at")
_escalation_details = _event_fields("deadline_id", "kind", "due_at", "step_name", "notify_role")


def _placement_details(state: PlacementState, event: PlacementEvent) -> dict[str, Any]:
    facts = state.facts
    if facts is None:
        return {}
    return {
        "placing_authority": facts.placing_authority,
        "social_worker_reference": facts.social_worker_reference,
        "looked_after_since": facts.looked_after_since.isoformat(),
        "arrived_at": facts.arrived_at.isoformat(),
        "ukvi_relevant": facts.ukvi_relevant,
    }


def _philomena_part_1(state: PlacementState) -> dict[str, Any]:
    """The Philomena Protocol profile's part 1 as last recorded, whole (or that it never was)."""
    profile = state.philomena_profile
    if profile is None:
        return {"profile_recorded_at": None}
    return profile.model_dump(mode="json", exclude={"profile_recorded_by"})


def _missing_children_proforma(state: PlacementState, event: PlacementEvent) -> dict[str, Any]:
    """The Missing Children's Proforma (R5) with the Philomena Protocol parts 1 and 2: for the
    police."""
    facts = state.facts
    episode = _event_fields(
        "episode_id",
        "kind",
        "last_seen_at",
        "last_seen_place_reference",
        "known_whereabouts_reference",
        "circumstances",
        "police_risk_grade",
        "clothing_reference",
        "description_reference",
    )(state, event)
    return episode | {
        "risk_factors": list(state.risk_factors),
        # Every child placed through Safeside is believed to be at risk of trafficking.
        "trafficking_concern": True,
        "nrm_referred": state.nrm_referred_at is not None,
        "ukvi_relevant": None if facts is None else facts.ukvi_relevant,
        "placing_authority": None if facts is None else facts.placing_authority,
        "social_worker_reference": None if facts is None else facts.social_worker_reference,
        "unit_contact": "the unit's Duty Manager",
        "previous_episodes": len(state.missing_episodes) - 1,
        # The Philomena Protocol profile's part 1; part 2 is the report's, above.
        **_philomena_part_1(state),
    }


# purpose -> the details that purpose adds.
CONTENT_BUILDERS: dict[str, ContentDetails] = {
    "placement_started": _placement_details,
    "placement_ended": _placement_details,
    "interpreter_requested": _event_fields("language"),
    "deadline_missed": _deadline_details,
    "escalation": _escalation_details,
    "risk_level_raised_to_high": _event_fields("from_level", "to_level"),
    MISSING_CHILDREN_PROFORMA: _missing_children_proforma,
    "missing_reported": _event_fields("episode_id", "kind", "last_seen_at", "police_risk_grade"),
    "reg40_police_involved": _event_fields("episode_id", "kind"),
    "child_returned": _event_fields(
        "episode_id", "returned_at", "found_by_reference", "where_found_reference"
    ),
    "return_interview_held": _event_fields("episode_id", "held_at"),
    "enquiry_recorded": _event_fields("channel", "enquirer_reference", "question", "received_at"),
    "visitor_verification_needed": _event_fields("visitor_reference", "stated_relationship"),
    "unverified_visit_attempted": _event_fields(
        "visitor_reference", "attempted_at", "visitor_was_proposed"
    ),
    "phone_release_confirmed": _event_fields("confirmation_reference", "confirmed_at"),
    "restriction_imposed": _event_fields("kind", "starts_at", "review_by"),
    "restriction_renewed": _event_fields("kind", "review_by"),
    "restriction_lifted": _event_fields("kind", "lifted_at"),
    "contact_assessment_requested": _event_fields("contact_person_reference", "relationship"),
    "suspicious_activity": _event_fields("category", "note_reference_or_text", "observed_at"),
    "break_glass_opened": _event_fields("reason", "until"),
    # Every deadline already overdue when the placement was adopted, in one notice.
    "overdue_at_adoption": _event_fields("overdue_deadlines"),
}


def redacted_for(recipient: str, details: dict[str, Any]) -> dict[str, Any]:
    """`details` as `recipient` may see them: no location (nor the unit, nor a unit check
    that names it) unless the role is entitled; and for a staff role, only the fields its
    allow-list holds (``visible_fields``), the rest reading ``[redacted]`` as in the API."""
    if recipient in LOCATION_ENTITLED_ROLES:
        return details
    # The domain's LOCATION_FIELDS, the unit's id and the unit check reference; and the
    # Philomena Protocol profile, which leaves Safeside for the police alone.
    police_only = FIELDS[FieldGroup.location] | FIELDS[FieldGroup.philomena]
    shown = {name: value for name, value in details.items() if name not in police_only}
    if recipient in DECIDED_ROLES:
        return dict(redact(shown, visible_fields(Role(recipient))))
    return shown


def build_content(
    state: PlacementState, event: PlacementEvent, message: contract.OutboxMessage
) -> NotificationContent:
    """The message for ``message.recipient``, from the state just after ``event``."""
    facts = state.facts
    details = CONTENT_BUILDERS.get(message.purpose)
    return NotificationContent(
        subject=f"Safeside: {message.purpose.replace('_', ' ')} - placement {state.stream_id}",
        placement_id=state.stream_id,
        case_reference=None if facts is None else facts.case_reference,
        # A notice leaves Safeside (e-mail, a partner's webhook): where the child lives goes
        # with it to the police alone, as the details' location does.
        unit_id=(
            facts.unit_id
            if facts is not None and message.recipient in LOCATION_ENTITLED_ROLES
            else None
        ),
        recipient=message.recipient,
        purpose=message.purpose,
        event_type=event.type,
        event_version=event.version,
        occurred_at=event.occurred_at,
        risk_level=None if state.risk_level is None else state.risk_level.value,
        details=redacted_for(message.recipient, {} if details is None else details(state, event)),
    )
