"""Start a placement: the Registered Manager's form, every wrong field shown at once, then a
"Check your answers" page, then the start. Nothing starts on bad input; a refusal (the
domain's, or an id already used) is said at its field.

Without script as with: the form posts to the check page, which carries the answers in
hidden fields (with the session's CSRF token, as every form) and posts them to start, checked
again, or back to the form to change one. The unit is chosen from the units the manager works
in; the placement id is made up (``safeside.ids.new_placement_id``) unless one is given."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from starlette.responses import Response

from safeside.ids import new_placement_id
from starter.services import organisation
from starter.services.organisation import OrganisationRefused
from starter.services.permissions import check_may_record
from starter.services.placements import PlacementAlreadyOpen, StartRefused, check_start
from starter.services.recording import placement_command, start_placement_workflow
from starter.web import uk_time
from starter.web.form_specs import START_FORM, with_choices
from starter.web.forms import FormSpec, FormState, sentence, validated
from starter.web.pages import Asked, PageRequest, PageRoute, see_other
from starter.web.viewer import CheckedForm, signed_in
from workflows.domain.commands import StartPlacement
from workflows.domain.common import LONDON
from workflows.domain.errors import DomainError, FieldsRefused

router = APIRouter(route_class=PageRoute, dependencies=[Depends(signed_in)])

PAGE = "/web/start-placement"
CONFIRM = PAGE + "/confirm"
CHANGE = PAGE + "/change"
KEY = "start_placement"
PLACEMENT_ID = "placement_id"


async def start_form(asked: PageRequest) -> FormSpec:
    """The start form, its unit chosen from the units the manager works in now."""
    return await in_my_units(asked, START_FORM, "start")


async def in_my_units(asked: PageRequest, spec: FormSpec, doing: str) -> FormSpec:
    """``spec`` (the start form or one built on it), its unit chosen from the units the manager
    works in now; ``doing`` ("start", "adopt") says what they may do only there."""
    units = await organisation.units_of(asked.services.pool, asked.viewer.principal)
    return with_choices(
        spec,
        "unit_id",
        [(unit_id, f"{name} ({unit_id})") for unit_id, name in units],
        f"Choose one of the units you work in: you may {doing} a placement only in a unit "
        "you belong to",
    )


def _form_page(asked: PageRequest, spec: FormSpec, state: FormState, status: int) -> Response:
    return placement_form_page(asked, spec, state, status, PAGE)


def placement_form_page(
    asked: PageRequest, spec: FormSpec, state: FormState, status: int, action_url: str
) -> Response:
    """The start form's page (or an adoption's, posting to ``action_url``)."""
    return asked.render(
        "start_placement.html", status=status, spec=spec, state=state, action_url=action_url
    )


def _with_an_id(form: dict[str, str]) -> dict[str, str]:
    """The answers, with a placement id made up when none was given."""
    if form.get(PLACEMENT_ID, "").strip():
        return form
    return form | {PLACEMENT_ID: new_placement_id()}


def answers_shown(spec: FormSpec, facts: BaseModel) -> list[tuple[Any, str]]:
    """Each answer as the check page shows it: (the field, the answer in words)."""
    rows = []
    for item in spec.fields:
        value = getattr(facts, item.name)
        if value is None:
            shown = "Not given"
        elif isinstance(value, datetime):
            local = value.astimezone(LONDON)
            shown = f"{local.day} {local:%B %Y} at {local:%H:%M} (UK time)"
        elif item.kind == "date":
            shown = f"{value.day} {value:%B %Y}"
        elif item.kind == "yes_no":
            shown = "Yes" if value else "No"
        elif item.kind == "choice":
            text = str(getattr(value, "value", value))
            shown = dict(item.choices).get(text, text)
        else:
            shown = str(value)
        rows.append((item, shown))
    return rows


@router.get(PAGE)
async def show_form(asked: Asked) -> Response:
    check_may_record(asked.viewer.role, KEY)
    spec = await start_form(asked)
    now = datetime.now(UTC)
    values = uk_time.moment_parts("arrived_at", now) | uk_time.date_parts(
        "looked_after_since", now.astimezone(LONDON).date()
    )
    if len(spec.field_named("unit_id").choices) == 1:
        values["unit_id"] = spec.field_named("unit_id").choices[0][0]
    return _form_page(asked, spec, FormState(values=values), 200)


@router.post(PAGE)
async def check_answers(asked: Asked, form: CheckedForm) -> Response:
    """The answers checked: every wrong one at the form, else the "Check your answers" page."""
    check_may_record(asked.viewer.role, KEY)
    spec = await start_form(asked)
    facts, state = validated(spec, _with_an_id(form))
    if facts is None:
        return _form_page(asked, spec, state, 422)
    try:
        # What the clocks cannot run with is said now, not after the check.
        check_start(placement_command(asked.viewer.principal, StartPlacement, facts.model_dump()))
    except StartRefused as exc:
        state.errors.update({name: sentence(text) for name, text in exc.problems.items()})
        return _form_page(asked, spec, state, 422)
    return asked.render(
        "start_check.html",
        spec=spec,
        answers=answers_shown(spec, facts),
        hidden=state.values,
        confirm_url=CONFIRM,
        change_url=CHANGE,
    )


@router.post(CHANGE)
async def change_answers(asked: Asked, form: CheckedForm) -> Response:
    """Back to the form from the check page, with every answer kept."""
    check_may_record(asked.viewer.role, KEY)
    spec = await start_form(asked)
    values = {name: form.get(name, "") for item in spec.fields for name in item.inputs}
    return _form_page(asked, spec, FormState(values=values), 200)


@router.post(CONFIRM)
async def start(asked: Asked, form: CheckedForm) -> Response:
    """Start the placement with the checked answers, checked again."""
    check_may_record(asked.viewer.role, KEY)
    spec = await start_form(asked)
    facts, state = validated(spec, form)
    if facts is None:
        return _form_page(asked, spec, state, 422)
    command = placement_command(asked.viewer.principal, StartPlacement, facts.model_dump())
    opening = start_placement_workflow(asked.services, command)
    return await begun(asked, spec, state, opening, command.placement_id, PAGE)


async def begun(
    asked: PageRequest,
    spec: FormSpec,
    state: FormState,
    opening: Awaitable[None],
    placement_id: str,
    action_url: str,
) -> Response:
    """The placement's page once ``opening`` (its start or adoption) has begun it; a refusal
    said at its field on the form again (``action_url``'s page)."""
    try:
        await opening
    except PlacementAlreadyOpen as exc:
        state.errors[PLACEMENT_ID] = sentence(str(exc))
        return placement_form_page(asked, spec, state, 409, action_url)
    except OrganisationRefused as exc:
        state.errors[exc.field] = sentence(str(exc))
        return placement_form_page(asked, spec, state, 422, action_url)
    except StartRefused as exc:
        state.errors.update({name: sentence(text) for name, text in exc.problems.items()})
        return placement_form_page(asked, spec, state, 422, action_url)
    except DomainError as exc:
        state.refuse(spec, str(exc), exc.problems if isinstance(exc, FieldsRefused) else ())
        return placement_form_page(asked, spec, state, 409, action_url)
    return see_other(f"/web/placements/{placement_id}?started=1")
