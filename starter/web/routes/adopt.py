"""Adopt a placement: the Registered Manager's form for a child who already lives in the unit,
with what was done before, each step with its own date. Every wrong field is shown at once and
nothing starts on bad input; a step left empty was not done (its clock runs from arrival, and
if it is overdue the manager is told once, with the rest).

The form is the start form's facts and then one group of fields a step, read from the
adoption command (``workflows.domain.adoption_command``) as the command line and the API read
it; a whole unit is adopted from a file instead (``safeside placement import``,
``POST /placements/imports``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.responses import Response

from safeside.ids import new_placement_id
from starter.command_fields import person_fields, without_actor
from starter.services.adoption import adopt_placement_workflow
from starter.services.permissions import check_may_record
from starter.services.recording import placement_command
from starter.web.form_specs import START_FORM
from starter.web.forms import FieldAsk, FormSpec, FormState, form_spec, validated
from starter.web.pages import Asked, PageRequest, PageRoute
from starter.web.routes.start import begun, in_my_units, placement_form_page
from starter.web.viewer import CheckedForm, signed_in
from workflows.domain.adoption_command import AdoptPlacement

router = APIRouter(route_class=PageRoute, dependencies=[Depends(signed_in)])

PAGE = "/web/adopt-placement"
KEY = "adopt_placement"

_FACTS = [item.name for item in START_FORM.fields]
_STEP_FIELDS = [name for name in person_fields(AdoptPlacement) if name not in _FACTS]


_ACRONYMS = {"nrm": "NRM", "iro": "IRO"}


def _label(name: str) -> str:
    said = " ".join(_ACRONYMS.get(word, word) for word in name.split("_"))
    return said[:1].upper() + said[1:]


ADOPT_FORM: FormSpec = form_spec(
    "adopt-placement",
    without_actor(AdoptPlacement),
    [
        *(
            FieldAsk(item.name, item.label, hint=item.hint, optional=True)
            if item.name == "placement_id"
            else FieldAsk(item.name, item.label, hint=item.hint)
            for item in START_FORM.fields
        ),
        *(FieldAsk(name, _label(name), optional=True) for name in _STEP_FIELDS),
    ],
    title="Adopt a placement",
    submit="Adopt the placement",
    intro="A child who already lives in the unit: give the start facts, then each step "
    "already done with its date. Nothing done before is sent to anyone again; what is "
    "already overdue is told to you once.",
)


async def _form(asked: PageRequest) -> FormSpec:
    return await in_my_units(asked, ADOPT_FORM, "adopt")


def _page(asked: PageRequest, spec: FormSpec, state: FormState, status: int) -> Response:
    return placement_form_page(asked, spec, state, status, PAGE)


@router.get(PAGE)
async def show_form(asked: Asked) -> Response:
    check_may_record(asked.viewer.role, KEY)
    return _page(asked, await _form(asked), FormState(values={}), 200)


@router.post(PAGE)
async def adopt(asked: Asked, form: CheckedForm) -> Response:
    check_may_record(asked.viewer.role, KEY)
    spec = await _form(asked)
    if not form.get("placement_id", "").strip():
        form = form | {"placement_id": new_placement_id()}
    fields, state = validated(spec, form)
    if fields is None:
        return _page(asked, spec, state, 422)
    given = fields.model_dump(exclude_unset=True)
    command = placement_command(asked.viewer.principal, AdoptPlacement, given)
    opening = adopt_placement_workflow(asked.services, command)
    return await begun(asked, spec, state, opening, command.placement_id, PAGE)
