"""Taking an escalation from Today: "I am dealing with this", one small form a row.

The manager's button records the domain's ``acknowledge_escalation`` through the path every
action takes (``starter.services.recording``: their role, their relationship to the child,
then the workflow), so the acknowledgement is the caller's and its time the moment it is
recorded. htmx answers with Today's escalations again, in place; without script the browser
goes back to Today, where the row now says who is dealing with it."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends
from pydantic import ValidationError
from starlette.responses import Response

from starter.api.dependencies import PlacementId
from starter.command_fields import ACTIONS
from starter.services.recording import record_placement_action
from starter.services.today_board import escalations_and_reminders
from starter.services.workflow_calls import ActionRefused
from starter.web.pages import Asked, PageRoute, is_htmx, problem, see_other
from starter.web.viewer import CheckedForm, signed_in

router = APIRouter(route_class=PageRoute, dependencies=[Depends(signed_in)])

ACTION = ACTIONS["acknowledge-escalation"]
PATH = "/web/placements/{placement_id}/acknowledge-escalation"
TODAY_ESCALATIONS = "/#escalations-heading"
DONE = "Recorded: you are dealing with this escalation."
NOT_ONE = "this form does not name an escalation: reload Today and press the button again"


@router.post(PATH)
async def acknowledge(asked: Asked, placement_id: PlacementId, form: CheckedForm) -> Response:
    fields = {name: form.get(name, "") for name in ("deadline_id", "step_index")}
    refused, status = None, 200
    try:
        await record_placement_action(
            asked.services, asked.viewer.principal, placement_id, ACTION, fields
        )
    except ValidationError:
        refused, status = NOT_ONE, 422
    except ActionRefused as exc:
        refused, status = str(exc), 409
    if not is_htmx(asked.request):
        if refused is None:
            return see_other(TODAY_ESCALATIONS)
        return problem(asked.request, status, "Not recorded", refused)
    escalations, reminders = await escalations_and_reminders(
        asked.services, asked.viewer.principal, datetime.now(UTC)
    )
    return asked.render(
        "_today_escalations.html",
        status=status,
        escalations=escalations,
        reminders=reminders,
        done=DONE if refused is None else None,
        refused=refused,
    )
