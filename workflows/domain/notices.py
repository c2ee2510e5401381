"""Who must be told of each event (R3 information sharing; reg 41 admission and discharge).

A table of event type -> recipients, plus the few rules that depend on the event's content.
The notice says who and why; what is shared, and through which channel, is for the
notification activity, which keys each notice on the placement id and event version.
"""

from collections.abc import Callable

from pydantic import BaseModel, ConfigDict

from workflows.domain.common import RiskLevel, Role
from workflows.domain.events import (
    EscalationRaised,
    PlacementEvent,
    PlacementStarted,
    RiskLevelChanged,
)
from workflows.domain.state import PlacementState


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
    "notification_failed": ((Role.duty_manager, "notification_failed"),),
    "placement_ended": (
        (Role.placing_authority, "placement_ended"),
        (Role.host_local_authority, "placement_ended"),
        (Role.police, "placement_ended"),
    ),
}


def _ukvi_if_relevant(event: PlacementEvent) -> tuple[tuple[Role, str], ...]:
    if isinstance(event, PlacementStarted) and event.ukvi_relevant:
        return ((Role.ukvi, "placement_started"),)
    return ()


def _escalation_recipient(event: PlacementEvent) -> tuple[tuple[Role, str], ...]:
    # The event already names a concrete role: "responsible" was resolved when it was raised.
    if isinstance(event, EscalationRaised):
        return ((event.notify_role, "escalation"),)
    return ()


def _high_risk(event: PlacementEvent) -> tuple[tuple[Role, str], ...]:
    if isinstance(event, RiskLevelChanged) and event.to_level is RiskLevel.high:
        return (
            (Role.police, "risk_level_raised_to_high"),
            (Role.social_worker, "risk_level_raised_to_high"),
        )
    return ()


_DEPENDING_ON_CONTENT: dict[str, Callable[[PlacementEvent], tuple[tuple[Role, str], ...]]] = {
    "placement_started": _ukvi_if_relevant,
    "escalation_raised": _escalation_recipient,
    "risk_level_changed": _high_risk,
}


def notices_for(state_after: PlacementState, event: PlacementEvent) -> list[Notice]:
    """The notices owed for `event`, each recipient once, in a stable order.

    `state_after` is the state with `event` applied; no rule needs it yet, but rules such as
    "tell UKVI only while the child is missing" will.
    """
    pairs = _ALWAYS.get(event.type, ())
    rule = _DEPENDING_ON_CONTENT.get(event.type)
    if rule is not None:
        pairs = (*pairs, *rule(event))
    seen: set[tuple[Role, str]] = set()
    notices = []
    for recipient, purpose in pairs:
        if (recipient, purpose) not in seen:
            seen.add((recipient, purpose))
            notices.append(Notice(recipient=recipient, purpose=purpose))
    return notices
