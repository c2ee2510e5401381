"""Start a placement: the Registered Manager's form, with a message next to each wrong field.
Nothing starts on bad input; a refusal (the domain's, or an id already used) is said in place."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends
from starlette.responses import Response

from starter.services.organisation import OrganisationRefused
from starter.services.permissions import check_may_record
from starter.services.placements import PlacementAlreadyOpen, StartRefused
from starter.services.recording import placement_command, start_placement_workflow
from starter.web.form_specs import START_FORM
from starter.web.forms import FormState, london_input, validated
from starter.web.pages import Asked, PageRequest, PageRoute, see_other
from starter.web.viewer import CheckedForm, signed_in
from workflows.domain.commands import StartPlacement
from workflows.domain.common import LONDON
from workflows.domain.errors import DomainError

router = APIRouter(route_class=PageRoute, dependencies=[Depends(signed_in)])

PAGE = "/web/start-placement"
KEY = "start_placement"


def _page(asked: PageRequest, state: FormState, status: int = 200) -> Response:
    return asked.render(
        "start_placement.html",
        status=status,
        spec=START_FORM,
        state=state,
        action_url=PAGE,
    )


@router.get(PAGE)
async def start_form(asked: Asked) -> Response:
    check_may_record(asked.viewer.role, KEY)
    now = datetime.now(UTC)
    values = {
        "arrived_at": london_input(now),
        "looked_after_since": now.astimezone(LONDON).date().isoformat(),
    }
    return _page(asked, FormState(values=values))


@router.post(PAGE)
async def start(asked: Asked, form: CheckedForm) -> Response:
    check_may_record(asked.viewer.role, KEY)
    facts, state = validated(START_FORM, form)
    if facts is None:
        return _page(asked, state, status=422)
    command = placement_command(asked.viewer.principal, StartPlacement, facts.model_dump())
    try:
        await start_placement_workflow(asked.services, command)
    except PlacementAlreadyOpen as exc:
        state.errors["placement_id"] = str(exc)
        return _page(asked, state, status=409)
    except OrganisationRefused as exc:
        state.errors[exc.field] = str(exc)
        return _page(asked, state, status=422)
    except StartRefused as exc:
        state.errors.update(exc.problems)
        return _page(asked, state, status=422)
    except DomainError as exc:
        state.problem = str(exc)
        return _page(asked, state, status=409)
    return see_other(f"/web/placements/{command.placement_id}?started=1")
