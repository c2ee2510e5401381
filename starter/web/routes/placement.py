"""A placement's page: its chronology (the audit trail, newest first, filterable by event type),
open deadlines with the time left, restrictions and phone status, missing episodes; and forms
for the common actions, each answering in place (htmx) or with a whole page (no script).

Every read goes through the permission table and the access log first (``read_placement``),
and every answer is redacted for the viewer's role, as the API's are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from starter import placements, queries
from starter.access_log import read_placement
from starter.actions import ACTIONS, command_models
from starter.api.dependencies import PlacementId, ServicesDep
from starter.permissions import Denied, View
from starter.placements import ActionRefused, PlacementNotFound
from starter.queries import ChronologyPage
from starter.recording import record_placement_action
from starter.redaction import redacted_answer
from starter.services import Services
from starter.web.form_specs import PLACEMENT_FORMS
from starter.web.format import is_hidden, words
from starter.web.forms import FormSpec, FormState, london_input, validated
from starter.web.pages import PageNotFound, PageRoute, is_htmx, render, see_other
from starter.web.viewer import CheckedForm, SignedIn, Viewer, signed_in
from workflows.domain.events import PlacementEvent

router = APIRouter(route_class=PageRoute, dependencies=[Depends(signed_in)])

PAGE = "/web/placements/{placement_id}"
CHANGED_EVENT = "placement-changed"
CHRONOLOGY_PAGE_SIZE = 50
EVENT_TYPES = tuple(
    sorted(str(model.model_fields["type"].default) for model in command_models(PlacementEvent))
)
EventTypeFilter = Annotated[str | None, Query(alias="type", max_length=64)]
BeforeVersion = Annotated[int | None, Query(alias="before", ge=1)]


@dataclass(frozen=True)
class PlacementNow:
    """What the viewer may see of the placement now, redacted; None for a part they may not
    read (an auditor reads the chronology alone)."""

    placement_id: str
    state: dict[str, Any] | None
    deadlines: list[Any] | None

    @property
    def is_open(self) -> bool:
        return self.state is not None and self.state["status"] == "open"

    @property
    def open_episode(self) -> dict[str, Any] | None:
        episodes = [] if self.state is None else self.state["missing_episodes"]
        return next((e for e in episodes if e["returned_at"] is None), None)

    @property
    def unit_id(self) -> str | None:
        facts = None if self.state is None else self.state["facts"]
        unit_id = None if facts is None else facts["unit_id"]
        return None if unit_id is None or is_hidden(unit_id) else str(unit_id)


@dataclass(frozen=True)
class Chronology:
    placement_id: str
    page: dict[str, Any]
    event_type: str | None
    before: int | None

    @property
    def query(self) -> str:
        """The filter and page, for the links and refreshes that keep them."""
        params = {"type": self.event_type, "before": self.before}
        return urlencode({key: value for key, value in params.items() if value})


async def read_now(services: Services, viewer: Viewer, placement_id: str) -> PlacementNow:
    """The live state and open deadlines, from the placement's workflow."""
    principal, pool, client = viewer.principal, services.pool, services.client
    state = deadlines = None
    if viewer.can_read(View.placement_state):
        await read_placement(pool, principal, View.placement_state, placement_id)
        state = redacted_answer(viewer.role, await placements.current_state(client, placement_id))
    if viewer.can_read(View.placement_deadlines):
        await read_placement(pool, principal, View.placement_deadlines, placement_id)
        found = await placements.open_deadlines(client, placement_id)
        deadlines = redacted_answer(viewer.role, found)
    return PlacementNow(placement_id=placement_id, state=state, deadlines=deadlines)


async def read_chronology(
    services: Services,
    viewer: Viewer,
    placement_id: str,
    *,
    event_type: str | None,
    before: int | None,
    known: bool,
) -> Chronology:
    """The audit trail from PostgreSQL, newest first: every role may read it, redacted.
    ``known``: the placement is known to exist (its workflow answered), so a trail with no
    entry yet is one whose first events are still on their way, not an unknown placement."""
    await read_placement(services.pool, viewer.principal, View.audit_trail, placement_id)
    known_type = event_type if event_type in EVENT_TYPES else None
    try:
        page = await queries.chronology(
            services.pool,
            placement_id,
            event_type=known_type,
            before_version=before,
            limit=CHRONOLOGY_PAGE_SIZE,
        )
    except PlacementNotFound:
        if not known:
            raise
        page = ChronologyPage(placement_id=placement_id, entries=[], next_before_version=None)
    return Chronology(
        placement_id=placement_id,
        page=redacted_answer(viewer.role, page),
        event_type=known_type,
        before=before,
    )


def offered_forms(viewer: Viewer, now: PlacementNow) -> list[FormSpec]:
    """The action forms the viewer's role may record, on an open placement."""
    if not now.is_open:
        return []
    return [
        spec
        for key, spec in PLACEMENT_FORMS.items()
        if viewer.may_record(ACTIONS[key].command_type)
    ]


def fresh_values(spec: FormSpec, now: datetime, language: str | None) -> dict[str, str]:
    """A fresh form's values: its times are now; the leaflet's language is the child's."""
    values = {f.name: london_input(now) for f in spec.fields if f.kind == "datetime"}
    if language and "language" in {f.name for f in spec.fields}:
        values["language"] = language
    return values


def child_language(now: PlacementNow) -> str | None:
    facts = None if now.state is None else now.state["facts"]
    language = None if facts is None else facts["first_language"]
    return None if language is None or is_hidden(language) else str(language)


async def placement_page(
    request: Request,
    viewer: Viewer,
    services: Services,
    placement_id: str,
    *,
    event_type: str | None = None,
    before: int | None = None,
    submitted: tuple[str, FormState] | None = None,
    status: int = 200,
) -> Response:
    now = await read_now(services, viewer, placement_id)
    chronology = await read_chronology(
        services,
        viewer,
        placement_id,
        event_type=event_type,
        before=before,
        known=now.state is not None,
    )
    moment, language = datetime.now(UTC), child_language(now)
    forms = [
        (spec, FormState(values=fresh_values(spec, moment, language)))
        for spec in offered_forms(viewer, now)
    ]
    if submitted is not None:
        forms = [(spec, submitted[1] if spec.key == submitted[0] else s) for spec, s in forms]
    recorded = request.query_params.get("recorded")
    return render(
        request,
        "placement.html",
        viewer=viewer,
        status=status,
        placement=now,
        chronology=chronology,
        forms=forms,
        event_types=EVENT_TYPES,
        recorded=recorded if recorded in PLACEMENT_FORMS else None,
        started=request.query_params.get("started") == "1",
    )


@router.get(PAGE)
async def show(
    request: Request,
    placement_id: PlacementId,
    viewer: SignedIn,
    services: ServicesDep,
    event_type: EventTypeFilter = None,
    before: BeforeVersion = None,
) -> Response:
    return await placement_page(
        request, viewer, services, placement_id, event_type=event_type, before=before
    )


@router.get(PAGE + "/now")
async def placement_now(
    request: Request, placement_id: PlacementId, viewer: SignedIn, services: ServicesDep
) -> Response:
    """The page's live part again, after an action was recorded on it."""
    now = await read_now(services, viewer, placement_id)
    return render(request, "_placement_now.html", viewer=viewer, placement=now)


@router.get(PAGE + "/chronology")
async def placement_chronology(
    request: Request,
    placement_id: PlacementId,
    viewer: SignedIn,
    services: ServicesDep,
    event_type: EventTypeFilter = None,
    before: BeforeVersion = None,
) -> Response:
    """The chronology again, a moment after an action was recorded (the audit trail is
    written just after the workflow accepts it), on a page that showed the placement."""
    chronology = await read_chronology(
        services, viewer, placement_id, event_type=event_type, before=before, known=True
    )
    return render(
        request, "_chronology.html", viewer=viewer, chronology=chronology, event_types=EVENT_TYPES
    )


async def _submit(
    services: Services, viewer: Viewer, placement_id: str, spec: FormSpec, form: dict[str, str]
) -> tuple[FormState, int]:
    body, state = validated(spec, form)
    if body is None:
        return state, 422
    try:
        result = await record_placement_action(
            services, viewer.principal, placement_id, ACTIONS[spec.key], body.model_dump()
        )
    except Denied as exc:
        state.problem = str(exc)
        return state, 403
    except ActionRefused as exc:
        # The domain's reason, in place; nothing was written.
        state.problem = str(exc)
        return state, 409
    recorded = ", ".join(words(event).lower() for event in result.events)
    return FormState(done=f"Recorded: {recorded}."), 200


@router.post(PAGE + "/actions/{action}")
async def record(
    request: Request,
    placement_id: PlacementId,
    action: str,
    viewer: SignedIn,
    form: CheckedForm,
    services: ServicesDep,
) -> Response:
    spec = PLACEMENT_FORMS.get(action)
    if spec is None:
        raise PageNotFound("there is no such form")
    state, status = await _submit(services, viewer, placement_id, spec, form)
    page = PAGE.format(placement_id=placement_id)
    if is_htmx(request):
        if state.done:
            # A fresh form (the same child: the same language), and the page's live part
            # fetches itself again on the event.
            state.values = fresh_values(spec, datetime.now(UTC), form.get("language"))
        return render(
            request,
            "_action_form.html",
            viewer=viewer,
            status=status,
            spec=spec,
            state=state,
            action_url=f"{page}/actions/{spec.key}",
            headers={"HX-Trigger": CHANGED_EVENT} if state.done else None,
        )
    if state.done:
        return see_other(f"{page}?recorded={spec.key}#{spec.key}")
    return await placement_page(
        request, viewer, services, placement_id, submitted=(spec.key, state), status=status
    )
