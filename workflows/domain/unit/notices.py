"""Who the unit must tell: an escalation goes to the role its step names; a concern from a
building or outside check goes to the Duty Manager at once (R14), and so does a notice the unit
gave up on, as a placement's does. A concern about a particular child also reaches that
placement as suspicious activity (R7), which tells the Duty Manager again from the child's own
record: the two notices have different purposes."""

from workflows.domain.common import Role
from workflows.domain.failed_notices import NOTIFICATION_FAILED
from workflows.domain.notices import Notice
from workflows.domain.unit.events import (
    BuildingCheckRecorded,
    UnitEscalationRaised,
    UnitEvent,
    UnitNotificationFailed,
)

BUILDING_CONCERN = "building_concern"
UNIT_ESCALATION = "unit_escalation"


def unit_notices_for(event: UnitEvent) -> list[Notice]:
    match event:
        case UnitEscalationRaised():
            return [Notice(recipient=event.notify_role, purpose=UNIT_ESCALATION)]
        case BuildingCheckRecorded() if event.concerns:
            return [Notice(recipient=Role.duty_manager, purpose=BUILDING_CONCERN)]
        case UnitNotificationFailed():
            return [Notice(recipient=Role.duty_manager, purpose=NOTIFICATION_FAILED)]
        case _:
            return []
