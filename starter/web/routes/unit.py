"""A unit's handover page (R16): what the incoming shift must know about each child living
there and the unit's own duties, the button that records they read it, and the whereabouts
check (R4). For the unit's own staff, as the API's unit routes are."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import Response

from starter.api.dependencies import ServicesDep
from starter.permissions import Denied, View, check_view
from starter.placements import ActionRefused
from starter.recording import record_unit_action
from starter.redaction import redacted_answer
from starter.services import Services
from starter.units import unit_handover
from starter.web import unit_check
from starter.web.form_specs import ACKNOWLEDGE_FORM
from starter.web.forms import FormState, validated
from starter.web.pages import PageRoute, is_htmx, render, see_other
from starter.web.unit_check import CheckForm, blank_check, read_check
from starter.web.viewer import CheckedForm, SignedIn, Viewer, signed_in
from workflows.domain.common import OPAQUE_ID_PATTERN

router = APIRouter(route_class=PageRoute, dependencies=[Depends(signed_in)])

PAGE = "/web/units/{unit_id}/handover"
CHECKS = "/web/units/{unit_id}/checks"
CHANGED_EVENT = "handover-changed"
UnitId = Annotated[str, Path(pattern=OPAQUE_ID_PATTERN)]


async def read_handover(services: Services, viewer: Viewer, unit_id: str) -> Any:
    check_view(viewer.role, View.unit_handover)
    return redacted_answer(viewer.role, await unit_handover(services.client, unit_id))


def residents_of(handover: Any) -> list[str]:
    return [str(resident["placement_id"]) for resident in handover["residents"]]


def _page(
    request: Request,
    viewer: Viewer,
    unit_id: str,
    handover: Any,
    *,
    acknowledgement: FormState | None = None,
    check: CheckForm | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "unit_handover.html",
        viewer=viewer,
        status=status,
        unit_id=unit_id,
        handover=handover,
        spec=ACKNOWLEDGE_FORM,
        state=acknowledgement or FormState(),
        action_url=PAGE.format(unit_id=unit_id) + "/acknowledge",
        check=check or blank_check(residents_of(handover), datetime.now(UTC)),
        check_url=CHECKS.format(unit_id=unit_id),
        choices=unit_check.CHOICES,
        check_names=unit_check,
        acknowledged=request.query_params.get("acknowledged") == "1",
        checked=request.query_params.get("checked") == "1",
    )


@router.get(PAGE)
async def show(
    request: Request, unit_id: UnitId, viewer: SignedIn, services: ServicesDep
) -> Response:
    return _page(request, viewer, unit_id, await read_handover(services, viewer, unit_id))


@router.get(PAGE + "/live")
async def live(
    request: Request, unit_id: UnitId, viewer: SignedIn, services: ServicesDep
) -> Response:
    return render(
        request,
        "_handover_live.html",
        viewer=viewer,
        handover=await read_handover(services, viewer, unit_id),
    )


async def _record(
    services: Services, viewer: Viewer, unit_id: str, key: str, fields: dict[str, Any]
) -> tuple[str | None, int]:
    """Record on the unit: (None, 200), or (the reason it was refused, its status)."""
    try:
        await record_unit_action(services, viewer.principal, unit_id, key, fields)
    except Denied as exc:
        return str(exc), 403
    except ActionRefused as exc:
        return str(exc), 409
    return None, 200


@router.post(PAGE + "/acknowledge")
async def acknowledge(
    request: Request,
    unit_id: UnitId,
    viewer: SignedIn,
    form: CheckedForm,
    services: ServicesDep,
) -> Response:
    # The acknowledgement's time is when the button was pressed.
    body, state = validated(ACKNOWLEDGE_FORM, form, {"acknowledged_at": datetime.now(UTC)})
    status = 422
    if body is not None:
        state.problem, status = await _record(
            services, viewer, unit_id, "acknowledge_handover", body.model_dump()
        )
        if state.problem is None:
            state = FormState(done="Your acknowledgement is recorded.")
    if is_htmx(request):
        return render(
            request,
            "_action_form.html",
            viewer=viewer,
            status=status,
            spec=ACKNOWLEDGE_FORM,
            state=state,
            action_url=PAGE.format(unit_id=unit_id) + "/acknowledge",
            headers={"HX-Trigger": CHANGED_EVENT} if state.done else None,
        )
    if state.done:
        return see_other(PAGE.format(unit_id=unit_id) + "?acknowledged=1")
    handover = await read_handover(services, viewer, unit_id)
    return _page(request, viewer, unit_id, handover, acknowledgement=state, status=status)


@router.post(CHECKS)
async def record_check(
    request: Request,
    unit_id: UnitId,
    viewer: SignedIn,
    form: CheckedForm,
    services: ServicesDep,
) -> Response:
    """A whereabouts check: a child not seen starts their missing procedure at once."""
    fields, check = read_check(form)
    status = 422
    if fields is not None:
        check.problem, status = await _record(services, viewer, unit_id, unit_check.KEY, fields)
        if check.problem is None:
            check = blank_check(check.residents, datetime.now(UTC))
            check.done = "The check is recorded."
    if is_htmx(request):
        return render(
            request,
            "_unit_check_form.html",
            viewer=viewer,
            status=status,
            check=check,
            check_url=CHECKS.format(unit_id=unit_id),
            choices=unit_check.CHOICES,
            check_names=unit_check,
            headers={"HX-Trigger": CHANGED_EVENT} if check.done else None,
        )
    if check.done:
        return see_other(PAGE.format(unit_id=unit_id) + "?checked=1")
    handover = await read_handover(services, viewer, unit_id)
    return _page(request, viewer, unit_id, handover, check=check, status=status)
