"""Escalations a manager takes: "I am dealing with this", and who a raised step is for.

A ladder step that tells a worker (the key worker, a residential worker, or the child's social
worker, whose clocks remind them as the key worker's remind the key worker) is a reminder to do
the thing; a step that tells a manager, or anyone beyond (the placing authority, the IRO), is
an escalation a Duty or Registered Manager takes. Taking it is recorded once, with the manager
as the actor: a second manager pressing the button is told who already has it, rather than both
believing the other one does. A step of any kind may be taken once it has been raised, never
before.
"""

from datetime import datetime

from workflows.domain.commands import AcknowledgeEscalation
from workflows.domain.common import Role
from workflows.domain.errors import DomainError
from workflows.domain.events import EscalationAcknowledged
from workflows.domain.state import PlacementState
from workflows.domain.stream import header

# A step telling one of these roles is a reminder to the worker, not an escalation. The social
# worker is among them: six of the default clocks are theirs, and each reminds them a day ahead
# (only the restriction review's last step tells them after a manager, and the Duty Manager's
# step before it is the escalation).
REMINDED_ROLES = frozenset({Role.key_worker, Role.residential_worker, Role.social_worker})
# Who takes an escalation.
TAKING_ROLES = frozenset({Role.duty_manager, Role.registered_manager})


def is_reminder(notify_role: Role | str) -> bool:
    """Whether a step telling ``notify_role`` is a reminder to a worker (else an escalation)."""
    return notify_role in {role.value for role in REMINDED_ROLES}


def acknowledge(
    state: PlacementState, command: AcknowledgeEscalation, now: datetime
) -> EscalationAcknowledged:
    if command.actor.role not in TAKING_ROLES:
        raise DomainError(
            "only a Duty Manager or a Registered Manager can take an escalation: "
            "tell the manager on duty"
        )
    deadline_id = command.deadline_id.strip()
    if not state.escalation_raised(deadline_id, command.step_index):
        raise DomainError(
            "no escalation has been raised for that deadline and step on this placement: "
            "there is nothing to acknowledge yet"
        )
    taken = state.escalation_acknowledgement(deadline_id, command.step_index)
    if taken is not None:
        by = taken.acknowledged_by
        raise DomainError(
            f"this escalation is already being dealt with by the "
            f"{by.role.value.replace('_', ' ')} {by.reference}: nothing more to record"
        )
    return EscalationAcknowledged(
        **header(state, now, command.actor), deadline_id=deadline_id, step_index=command.step_index
    )
