"""A unit's handover page (R16): what the incoming shift must know about each child living
there and the unit's own duties, the button that records they read it, and the whereabouts
check (R4). For the unit's own staff, as the API's unit routes are."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from starlette.responses import Response

from starter.services.permissions import Denied
from starter.services.reading import open_unit
from starter.services.recording import record_unit_action
from starter.services.workflow_calls import ActionRefused
from starter.web import unit_check
from starter.web.form_specs import ACKNOWLEDGE_FORM
from starter.web.forms import FormState, validated
from starter.web.pages import Asked, PageRequest, PageRoute, is_htmx, see_other
from starter.web.unit_check import CheckForm, blank_check, read_check
from starter.web.viewer import CheckedForm, signed_in
from workflows.domain.common import OPAQUE_ID_PATTERN

router = APIRouter(route_class=PageRoute, dependencies=[Depends(signed_in)])

PAGE = "/web/units/{unit_id}/handover"
CHECKS = "/web/units/{unit_id}/checks"
CHANGED_EVENT = "handover-changed"
UnitId = Annotated[str, Path(pattern=OPAQUE_ID_PATTERN)]


async def read_handover(asked: PageRequest, unit_id: str) -> Any:
    handover = await open_unit(asked.services, asked.viewer.principal, unit_id)
    return await handover.handover()


def residents_of(handover: Any) -> list[str]:
    return [str(resident["placement_id"]) for resident in handover["residents"]]


def _check_form(check: CheckForm, unit_id: str) -> dict[str, Any]:
    """What the whereabouts check's template needs, on the page or alone."""
    return {
        "check": check,
        "check_url": CHECKS.format(unit_id=unit_id),
        "choices": unit_check.CHOICES,
        "check_names": unit_check,
    }


async def _page(
    asked: PageRequest,
    unit_id: str,
    *,
    acknowledgement: FormState | None = None,
    check: CheckForm | None = None,
    status: int = 200,
) -> Response:
    unit = await open_unit(asked.services, asked.viewer.principal, unit_id)
    handover = await unit.handover()
    query = asked.request.query_params
    return asked.render(
        "unit_handover.html",
        status=status,
        unit_id=unit_id,
        unit_name=await unit.display_name(),
        handover=handover,
        spec=ACKNOWLEDGE_FORM,
        state=acknowledgement or FormState(),
        action_url=PAGE.format(unit_id=unit_id) + "/acknowledge",
        **_check_form(check or blank_check(residents_of(handover), datetime.now(UTC)), unit_id),
        acknowledged=query.get("acknowledged") == "1",
        checked=query.get("checked") == "1",
    )


@router.get(PAGE)
async def show(asked: Asked, unit_id: UnitId) -> Response:
    return await _page(asked, unit_id)


@router.get(PAGE + "/live")
async def live(asked: Asked, unit_id: UnitId) -> Response:
    handover = await read_handover(asked, unit_id)
    return asked.render("_handover_live.html", handover=handover)


async def _record(
    asked: PageRequest, unit_id: str, key: str, fields: dict[str, Any]
) -> tuple[str | None, int]:
    """Record on the unit: (None, 200), or (the reason it was refused, its status)."""
    try:
        await record_unit_action(asked.services, asked.viewer.principal, unit_id, key, fields)
    except Denied as exc:
        return str(exc), 403
    except ActionRefused as exc:
        return str(exc), 409
    return None, 200


def _changed(done: str | None) -> dict[str, str] | None:
    """The event on which the page's live part fetches itself again."""
    return {"HX-Trigger": CHANGED_EVENT} if done else None


@router.post(PAGE + "/acknowledge")
async def acknowledge(asked: Asked, unit_id: UnitId, form: CheckedForm) -> Response:
    # The acknowledgement's time is when the button was pressed.
    body, state = validated(ACKNOWLEDGE_FORM, form, {"acknowledged_at": datetime.now(UTC)})
    status = 422
    if body is not None:
        state.problem, status = await _record(
            asked, unit_id, "acknowledge_handover", body.model_dump()
        )
        if state.problem is None:
            state = FormState(done="Your acknowledgement is recorded.")
    if is_htmx(asked.request):
        return asked.render(
            "_action_form.html",
            status=status,
            spec=ACKNOWLEDGE_FORM,
            state=state,
            action_url=PAGE.format(unit_id=unit_id) + "/acknowledge",
            headers=_changed(state.done),
        )
    if state.done:
        return see_other(PAGE.format(unit_id=unit_id) + "?acknowledged=1")
    return await _page(asked, unit_id, acknowledgement=state, status=status)


@router.post(CHECKS)
async def record_check(asked: Asked, unit_id: UnitId, form: CheckedForm) -> Response:
    """A whereabouts check: a child not seen starts their missing procedure at once."""
    fields, check = read_check(form)
    status = 422
    if fields is not None:
        check.problem, status = await _record(asked, unit_id, unit_check.KEY, fields)
        if check.problem is None:
            check = blank_check(check.residents, datetime.now(UTC))
            check.done = "The check is recorded."
    if is_htmx(asked.request):
        return asked.render(
            "_unit_check_form.html",
            status=status,
            headers=_changed(check.done),
            **_check_form(check, unit_id),
        )
    if check.done:
        return see_other(PAGE.format(unit_id=unit_id) + "?checked=1")
    return await _page(asked, unit_id, check=check, status=status)
