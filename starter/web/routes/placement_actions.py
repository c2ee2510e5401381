"""A placement's forms, recorded: through the service layer's one path to record (permission,
relationship, the workflow's update), answering in place with a fresh form and the
confirmation (htmx), or after post/redirect/get with the confirmation on the page (no script);
a refusal shows at its field (every refused field at once), the form kept as typed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends
from starlette.responses import Response

from starter.api.dependencies import PlacementId
from starter.command_fields import ACTIONS
from starter.services.permissions import Denied
from starter.services.recording import record_placement_action
from starter.services.workflow_calls import ActionRefused
from starter.web.confirmations import confirmation
from starter.web.form_specs import PLACEMENT_FORMS
from starter.web.forms import FormSpec, FormState, validated
from starter.web.pages import Asked, PageNotFound, PageRequest, PageRoute, is_htmx, see_other
from starter.web.routes.placement import (
    CHANGED_EVENT,
    PAGE,
    ChronologyFilter,
    fresh_values,
    placement_page,
)
from starter.web.viewer import CheckedForm, signed_in

router = APIRouter(route_class=PageRoute, dependencies=[Depends(signed_in)])


def _when(spec: FormSpec, body: Any) -> datetime | None:
    at = None if spec.when is None else getattr(body, spec.when, None)
    return at if isinstance(at, datetime) else None


async def _submit(
    asked: PageRequest, placement_id: str, spec: FormSpec, form: dict[str, str]
) -> tuple[FormState, int, datetime | None]:
    body, state = validated(spec, form)
    if body is None:
        return state, 422, None
    try:
        await record_placement_action(
            asked.services, asked.viewer.principal, placement_id, ACTIONS[spec.key],
            body.model_dump(),
        )  # fmt: skip
    except Denied as exc:
        state.problem = str(exc)
        return state, 403, None
    except ActionRefused as exc:
        # The domain's reasons, each at its field where the form has one; nothing was written.
        state.refuse(spec, str(exc), exc.problems)
        return state, 409, None
    at = _when(spec, body)
    return FormState(done=confirmation(spec, at)), 200, at


@router.post(PAGE + "/actions/{action}")
async def record(
    asked: Asked, placement_id: PlacementId, action: str, form: CheckedForm
) -> Response:
    spec = PLACEMENT_FORMS.get(action)
    if spec is None:
        raise PageNotFound("there is no such form")
    state, status, at = await _submit(asked, placement_id, spec, form)
    page = PAGE.format(placement_id=placement_id)
    if is_htmx(asked.request):
        if state.done:
            # A fresh form (the same child: the same language; the profile as just recorded),
            # and the page's live part fetches itself again on the event.
            state.values = fresh_values(
                spec, datetime.now(UTC), form.get("language"), form.get("episode_id"), form
            )
        return asked.render(
            "_action.html",
            status=status,
            spec=spec,
            state=state,
            action_url=f"{page}/actions/{spec.key}",
            headers={"HX-Trigger": CHANGED_EVENT} if state.done else None,
        )
    if state.done:
        query = urlencode({"recorded": spec.key} | ({"at": at.isoformat()} if at else {}))
        return see_other(f"{page}?{query}")
    return await placement_page(
        asked, placement_id, ChronologyFilter(), submitted=(spec.key, state), status=status
    )
