"""A unit's handover page (R16): what the incoming shift must know about each child living
there and the unit's own duties, the button that records they read it, and the whereabouts
check (R4). For the unit's own staff, as the API's unit routes are."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path
from starlette.responses import Response

from starter.services import handovers, organisation
from starter.services.permissions import Denied
from starter.services.reading import open_unit
from starter.services.recording import record_unit_action
from starter.services.workflow_calls import ActionRefused
from starter.web import unit_check
from starter.web.form_specs import ACKNOWLEDGE_FORM, with_choices
from starter.web.forms import FormSpec, FormState, sentence, validated
from starter.web.pages import Asked, PageRequest, PageRoute, is_htmx, see_other
from starter.web.uk_time import london_today, spoken
from starter.web.unit_check import CheckForm, blank_check, read_check
from starter.web.viewer import CheckedForm, signed_in
from starter.words import words
from workflows.domain.common import OPAQUE_ID_PATTERN

router = APIRouter(route_class=PageRoute, dependencies=[Depends(signed_in)])

PAGE = "/web/units/{unit_id}/handover"
CHECKS = "/web/units/{unit_id}/checks"
CHANGED_EVENT = "handover-changed"
UnitId = Annotated[str, Path(pattern=OPAQUE_ID_PATTERN)]
# The acknowledgements the page lists, the latest first.
ACKNOWLEDGEMENTS_SHOWN = 3


async def read_handover(asked: PageRequest, unit_id: str) -> Any:
    handover = await open_unit(asked.services, asked.viewer.principal, unit_id)
    return await handover.handover()


def residents_of(handover: Any) -> list[str]:
    return [str(resident["placement_id"]) for resident in handover["residents"]]


def recorded_at(what: str, at: datetime) -> str:
    return f"Recorded: {what} at {spoken(at, london_today(datetime.now(UTC)))}."


async def acknowledge_form(asked: PageRequest, unit_id: str) -> FormSpec:
    """The acknowledgement, naming the person handing over from the unit's staff now (not the
    person signed in: the incoming shift acknowledges)."""
    staff = await organisation.unit_staff(asked.services.pool, unit_id)
    choices = [
        (ref, f"{ref} ({', '.join(words(role).lower() for role in roles)})" if roles else ref)
        for ref, roles in staff
        if ref != asked.viewer.principal.subject
    ]
    return with_choices(
        ACKNOWLEDGE_FORM,
        "handed_over_by_reference",
        choices,
        "Choose the person handing over to you from the unit's staff",
    )


async def _acknowledgement(
    asked: PageRequest,
    unit_id: str,
    spec: FormSpec,
    state: FormState,
    just_made: handovers.Acknowledgement | None = None,
) -> dict[str, Any]:
    """What the acknowledgement's part of the page needs, on the page or alone. The audit
    trail is written a moment after the unit accepts an acknowledgement: one ``just_made``
    is listed first whether or not the trail has it yet."""
    made = await handovers.latest_acknowledgements(
        asked.services.pool, unit_id, ACKNOWLEDGEMENTS_SHOWN
    )
    if just_made is not None:
        made = [just_made, *(ack for ack in made if ack != just_made)][:ACKNOWLEDGEMENTS_SHOWN]
    return {
        "spec": spec,
        "state": state,
        "action_url": PAGE.format(unit_id=unit_id) + "/acknowledge",
        "acknowledgements": made,
    }


def _after_redirect(asked: PageRequest, key: str) -> datetime | None:
    """The time of what was recorded without script (post, redirect, get)."""
    try:
        at = datetime.fromisoformat(asked.request.query_params.get(key, ""))
    except ValueError:
        return None
    return at if at.tzinfo is not None else None


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
    acknowledged, checked = (
        _after_redirect(asked, "acknowledged"),
        _after_redirect(asked, "checked"),
    )
    if acknowledgement is None:
        acknowledgement = FormState()
        if acknowledged is not None:
            acknowledgement.done = recorded_at(ACKNOWLEDGE_FORM.recorded, acknowledged)
    if check is None:
        check = blank_check(residents_of(handover), datetime.now(UTC))
        if checked is not None:
            check.done = recorded_at("the whereabouts check", checked)
    spec = await acknowledge_form(asked, unit_id)
    return asked.render(
        "unit_handover.html",
        status=status,
        unit_id=unit_id,
        unit_name=await unit.display_name(),
        handover=handover,
        **await _acknowledgement(asked, unit_id, spec, acknowledgement),
        **_check_form(check, unit_id),
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
) -> tuple[Denied | ActionRefused | None, int]:
    """Record on the unit: (None, 200), or (the refusal, its status)."""
    try:
        await record_unit_action(asked.services, asked.viewer.principal, unit_id, key, fields)
    except Denied as exc:
        return exc, 403
    except ActionRefused as exc:
        return exc, 409
    return None, 200


def _changed(done: str | None) -> dict[str, str] | None:
    """The event on which the page's live part fetches itself again."""
    return {"HX-Trigger": CHANGED_EVENT} if done else None


@router.post(PAGE + "/acknowledge")
async def acknowledge(asked: Asked, unit_id: UnitId, form: CheckedForm) -> Response:
    # The acknowledgement's time is when the button was pressed.
    now = datetime.now(UTC)
    spec = await acknowledge_form(asked, unit_id)
    body, state = validated(spec, form, {"acknowledged_at": now})
    status, just_made = 422, None
    if body is not None:
        fields = body.model_dump()
        refused, status = await _record(asked, unit_id, "acknowledge_handover", fields)
        if refused is None:
            state = FormState(done=recorded_at(spec.recorded, now))
            just_made = handovers.Acknowledgement(
                acknowledged_by=asked.viewer.principal.subject,
                acknowledged_at=now,
                handed_over_by=fields["handed_over_by_reference"],
            )
        else:
            problems = refused.problems if isinstance(refused, ActionRefused) else ()
            state.refuse(spec, str(refused), problems)
    if is_htmx(asked.request):
        return asked.render(
            "_handover_acknowledge.html",
            status=status,
            headers=_changed(state.done),
            **await _acknowledgement(asked, unit_id, spec, state, just_made),
        )
    if state.done:
        query = urlencode({"acknowledged": now.isoformat()})
        return see_other(f"{PAGE.format(unit_id=unit_id)}?{query}")
    return await _page(asked, unit_id, acknowledgement=state, status=status)


@router.post(CHECKS)
async def record_check(asked: Asked, unit_id: UnitId, form: CheckedForm) -> Response:
    """A whereabouts check: a child not seen starts their missing procedure at once."""
    fields, check = read_check(form)
    status = 422
    if fields is not None:
        refused, status = await _record(asked, unit_id, unit_check.KEY, fields)
        check.problem = None if refused is None else sentence(str(refused))
        if refused is None:
            at = datetime.fromisoformat(str(fields[unit_check.CHECKED_AT]))
            check = blank_check(check.residents, datetime.now(UTC))
            check.done = recorded_at("the whereabouts check", at)
    if is_htmx(asked.request):
        return asked.render(
            "_unit_check_form.html",
            status=status,
            headers=_changed(check.done),
            **_check_form(check, unit_id),
        )
    if check.done:
        query = urlencode({"checked": str(fields[unit_check.CHECKED_AT])} if fields else {})
        return see_other(f"{PAGE.format(unit_id=unit_id)}?{query}")
    return await _page(asked, unit_id, check=check, status=status)
