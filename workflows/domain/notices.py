"""Who must be told of each event (R3 information sharing; reg 41 admission and discharge).

A table of event type -> recipients, plus the few rules that depend on the event's content.
The notice says who and why; what is shared, and through which channel, is for the
notification activity, which keys each notice on the placement id and event version.
"""

from collections.abc import Callable

from pydantic import BaseModel, ConfigDict

from workflows.domain.adoption_events import OverdueAtAdoption
from workflows.domain.common import RiskLevel, Role
from workflows.domain.events import (
    EscalationRaised,
    PlacementEvent,
    PlacementStarted,
    RiskLevelChanged,
)
from workflows.domain.failed_notices import NOTIFICATION_FAILED
from workflows.domain.state import PlacementState

# The purpose of the police's notice of a missing episode: its content is the proforma (R5).
MISSING_CHILDREN_PROFORMA = "missing_children_proforma"


class Notice(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    recipient: Role
    purpose: str


_ALWAYS: dict[str, tuple[tuple[Role, str], ...]] = {
    "placement_started": (
        (Role.police, "placement_started"),
        (Role.social_worker, "placement_started"),
        (Role.placing_authority, "placement_started"),
        (Role.host_local_authority, "placement_started"),
    ),
    "interpreter_requested": ((Role.interpreting_service, "interpreter_requested"),),
    # The missed statutory deadline is the placing authority's to answer for, whichever
    # worker was responsible; escalation steps tell the people who must act.
    "deadline_missed": ((Role.social_worker, "deadline_missed"),),
    NOTIFICATION_FAILED: ((Role.duty_manager, NOTIFICATION_FAILED),),
    "placement_ended": (
        (Role.placing_authority, "placement_ended"),
        (Role.host_local_authority, "placement_ended"),
        (Role.police, "placement_ended"),
    ),
    # R5: the police get the Missing Children's Proforma; the seed reports an absence without
    # authorisation to the police too, so the police are always involved and Ofsted is told
    # (Children's Homes Regulations 2015 reg 40).
    "missing_reported": (
        (Role.police, MISSING_CHILDREN_PROFORMA),
        (Role.social_worker, "missing_reported"),
        (Role.placing_authority, "missing_reported"),
        (Role.duty_manager, "missing_reported"),
        (Role.registered_manager, "missing_reported"),
        (Role.ofsted, "reg40_police_involved"),
    ),
    "child_returned": (
        (Role.police, "child_returned"),
        (Role.social_worker, "child_returned"),
        (Role.placing_authority, "child_returned"),
        (Role.duty_manager, "child_returned"),
        (Role.registered_manager, "child_returned"),
    ),
    "return_interview_held": ((Role.social_worker, "return_interview_held"),),
    # R2: every enquiry goes to the Duty Manager; nobody is sent an answer.
    "enquiry_recorded": ((Role.duty_manager, "enquiry_recorded"),),
    "visitor_proposed": ((Role.social_worker, "visitor_verification_needed"),),
    "unverified_visit_attempted": (
        (Role.duty_manager, "unverified_visit_attempted"),
        (Role.social_worker, "unverified_visit_attempted"),
    ),
    # R11: the key worker gives the phone back.
    "phone_release_confirmed": ((Role.key_worker, "phone_release_confirmed"),),
    "restriction_imposed": ((Role.social_worker, "restriction_imposed"),),
    "restriction_renewed": ((Role.social_worker, "restriction_renewed"),),
    "restriction_lifted": ((Role.social_worker, "restriction_lifted"),),
    "contact_assessment_requested": ((Role.social_worker, "contact_assessment_requested"),),
    # R7: at once.
    "suspicious_activity_recorded": ((Role.duty_manager, "suspicious_activity"),),
    # Need to know: the child's record was opened outside its relationship.
    "break_glass_opened": ((Role.registered_manager, "break_glass_opened"),),
}


def _ukvi_if_relevant(
    state_after: PlacementState, event: PlacementEvent
) -> tuple[tuple[Role, str], ...]:
    facts = event if isinstance(event, PlacementStarted) else state_after.facts
    if facts is not None and facts.ukvi_relevant:
        return ((Role.ukvi, event.type),)
    return ()


def _escalation_recipient(
    state_after: PlacementState, event: PlacementEvent
) -> tuple[tuple[Role, str], ...]:
    # The event already names a concrete role: "responsible" was resolved when it was raised.
    if isinstance(event, EscalationRaised):
        return ((event.notify_role, "escalation"),)
    return ()


def _high_risk(state_after: PlacementState, event: PlacementEvent) -> tuple[tuple[Role, str], ...]:
    if isinstance(event, RiskLevelChanged) and event.to_level is RiskLevel.high:
        return (
            (Role.police, "risk_level_raised_to_high"),
            (Role.social_worker, "risk_level_raised_to_high"),
        )
    return ()


def _overdue_at_adoption(
    state_after: PlacementState, event: PlacementEvent
) -> tuple[tuple[Role, str], ...]:
    # One notice listing everything already overdue when the placement was adopted.
    if isinstance(event, OverdueAtAdoption) and event.overdue_deadlines:
        return ((Role.registered_manager, "overdue_at_adoption"),)
    return ()


NoticeRule = Callable[[PlacementState, PlacementEvent], tuple[tuple[Role, str], ...]]

_DEPENDING_ON_CONTENT: dict[str, NoticeRule] = {
    "placement_started": _ukvi_if_relevant,
    "escalation_raised": _escalation_recipient,
    "risk_level_changed": _high_risk,
    # R5: UKVI is told of an absence, and of the return, where immigration is relevant.
    "missing_reported": _ukvi_if_relevant,
    "child_returned": _ukvi_if_relevant,
    "overdue_at_adoption": _overdue_at_adoption,
}


def notices_for(state_after: PlacementState, event: PlacementEvent) -> list[Notice]:
    """The notices owed for `event`, each recipient once, in a stable order.

    `state_after` is the state with `event` applied. The outbox keys a notice on the event and
    the recipient, so no event owes one role two notices. A step recorded on adoption owes
    none: it was done before Safeside, and whoever had to be told was told then.
    """
    if event.recorded_on_adoption:
        return []
    pairs = _ALWAYS.get(event.type, ())
    rule = _DEPENDING_ON_CONTENT.get(event.type)
    if rule is not None:
        pairs = (*pairs, *rule(state_after, event))
    seen: set[Role] = set()
    notices = []
    for recipient, purpose in pairs:
        if recipient not in seen:
            seen.add(recipient)
            notices.append(Notice(recipient=recipient, purpose=purpose))
    return notices
