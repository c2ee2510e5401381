"""A placement's page: its chronology (the audit trail, newest first, filterable by event type),
open deadlines with the time left, restrictions and phone status, missing episodes; and forms
for the common actions, each answering in place (htmx) or with a whole page (no script).

Every read goes through the service layer's gate, which checks the permission table and
writes the access log first (``open_placement``), and every answer is redacted for the
viewer's role, as the API's are."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from starter.api.dependencies import PlacementId
from starter.command_fields import ACTIONS, command_models
from starter.services.break_glass import BREAK_GLASS_ROLES, open_break_glass
from starter.services.paging import MAX_VERSION
from starter.services.permissions import Denied, View
from starter.services.reading import NOT_YOURS, open_placement
from starter.services.workflow_calls import ActionRefused
from starter.web import missing_alert
from starter.web.confirmations import recorded_after_redirect
from starter.web.form_specs import PLACEMENT_FORMS, PROFILE_FORM
from starter.web.format import is_hidden
from starter.web.forms import FormSpec, FormState, fresh_times
from starter.web.pages import Asked, PageRequest, PageRoute, see_other, unless_database_down
from starter.web.viewer import CheckedForm, Viewer, signed_in
from workflows.domain.common import DeadlineKind
from workflows.domain.events import PlacementEvent
from workflows.domain.notices import MISSING_CHILDREN_PROFORMA

router = APIRouter(route_class=PageRoute, dependencies=[Depends(signed_in)])

PAGE = "/web/placements/{placement_id}"
CHANGED_EVENT = "placement-changed"
CHRONOLOGY_PAGE_SIZE = 50
# The panel shows the latest notices; the API pages through them all.
NOTICES_SHOWN = 50
EVENT_TYPES = tuple(
    sorted(str(model.model_fields["type"].default) for model in command_models(PlacementEvent))
)


@dataclass(frozen=True)
class ChronologyFilter:
    """The chronology's filter and page, as the address gives them."""

    event_type: str | None = None
    before: int | None = None

    @property
    def query(self) -> str:
        """The filter and page, for the links and refreshes that keep them."""
        params = {"type": self.event_type, "before": self.before}
        return urlencode({key: value for key, value in params.items() if value})


def chronology_filter(
    event_type: Annotated[str | None, Query(alias="type", max_length=64)] = None,
    before: Annotated[int | None, Query(alias="before", ge=1, le=MAX_VERSION)] = None,
) -> ChronologyFilter:
    return ChronologyFilter(event_type, before)


Filtered = Annotated[ChronologyFilter, Depends(chronology_filter)]


@dataclass(frozen=True)
class PlacementNow:
    """What the viewer may see of the placement now, redacted; None for a part they may not
    read (an auditor reads the chronology alone)."""

    placement_id: str
    state: dict[str, Any] | None
    deadlines: list[Any] | None
    # Who was told (the outbox, newest first): a page of notices.
    notices: dict[str, Any] | None = None
    # The report of the open missing episode, from the audit trail (its actor and the
    # proforma's references); None until it is stored, or without an open episode.
    report: dict[str, Any] | None = None
    # PostgreSQL did not answer: who was told and the report wait for it (the page says so).
    database_down: bool = False

    def police_notice(self, episode_id: str) -> dict[str, Any] | None:
        """The police's Missing Children's Proforma for the episode, if the viewer sees it."""
        items = [] if self.notices is None else self.notices["items"]
        return next(
            (
                n
                for n in items
                if n["episode_id"] == episode_id and n["purpose"] == MISSING_CHILDREN_PROFORMA
            ),
            None,
        )

    @property
    def is_open(self) -> bool:
        return self.state is not None and self.state["status"] == "open"

    @property
    def open_episode(self) -> dict[str, Any] | None:
        episodes = [] if self.state is None else self.state["missing_episodes"]
        return next((e for e in episodes if e["returned_at"] is None), None)

    @property
    def open_watch(self) -> dict[str, Any] | None:
        """The open missing episode's watch, with the next step of its ladder."""
        deadlines = self.deadlines or []
        return next((d for d in deadlines if d["kind"] == DeadlineKind.missing_episode), None)

    @property
    def alert(self) -> missing_alert.MissingAlert | None:
        """The open missing episode as an alert: what to do now."""
        episode = self.open_episode
        if episode is None:
            return None
        return missing_alert.from_placement(
            self.placement_id,
            episode,
            report=self.report,
            watch=self.open_watch,
            notice=self.police_notice(episode["episode_id"]),
            notices_shown=self.notices is not None,
        )

    @property
    def unit_id(self) -> str | None:
        facts = None if self.state is None else self.state["facts"]
        unit_id = None if facts is None else facts["unit_id"]
        return None if unit_id is None or is_hidden(unit_id) else str(unit_id)


@dataclass(frozen=True)
class Chronology:
    placement_id: str
    # None: PostgreSQL did not answer (the page says so in its place).
    page: dict[str, Any] | None
    event_type: str | None
    before: int | None

    @property
    def query(self) -> str:
        return ChronologyFilter(self.event_type, self.before).query


async def read_now(asked: PageRequest, placement_id: str) -> PlacementNow:
    """The live state and open deadlines, from the placement's workflow; who was told, from
    the outbox (while PostgreSQL does not answer, the rest without it)."""
    services, viewer = asked.services, asked.viewer
    state = deadlines = notices = None
    database_down = False
    if viewer.can_read(View.placement_state):
        read = await open_placement(services, viewer.principal, View.placement_state, placement_id)
        state = await read.state()
    if viewer.can_read(View.placement_deadlines):
        read = await open_placement(
            services, viewer.principal, View.placement_deadlines, placement_id
        )
        deadlines = await read.deadlines()
    if viewer.can_read(View.notifications):
        read = await open_placement(services, viewer.principal, View.notifications, placement_id)
        notices = await unless_database_down(read.notices(after=None, limit=NOTICES_SHOWN))
        database_down = notices is None
    now = PlacementNow(
        placement_id=placement_id,
        state=state,
        deadlines=deadlines,
        notices=notices,
        database_down=database_down,
    )
    episode = now.open_episode
    if episode is None or database_down or not viewer.can_read(View.audit_trail):
        return now
    report = missing_report(asked, placement_id, episode["episode_id"])
    return replace(now, report=await unless_database_down(report))


async def missing_report(
    asked: PageRequest, placement_id: str, episode_id: str
) -> dict[str, Any] | None:
    """The audit trail's entry of the open episode's report (redacted), once stored."""
    read = await open_placement(
        asked.services, asked.viewer.principal, View.audit_trail, placement_id
    )
    page = await read.chronology(
        event_type="missing_reported", before_version=None, limit=1, known=True
    )
    latest: dict[str, Any] | None = next(iter(page["entries"]), None)
    if latest is None or latest["details"].get("episode_id") != episode_id:
        return None
    return latest


async def read_chronology(
    asked: PageRequest, placement_id: str, shown: ChronologyFilter, *, known: bool
) -> Chronology:
    """The audit trail from PostgreSQL, newest first: every role may read it, redacted (no
    page while PostgreSQL does not answer). ``known``: the placement's workflow answered
    (``PlacementRead.chronology``)."""
    read = await open_placement(
        asked.services, asked.viewer.principal, View.audit_trail, placement_id
    )
    known_type = shown.event_type if shown.event_type in EVENT_TYPES else None
    page = await unless_database_down(
        read.chronology(
            event_type=known_type,
            before_version=shown.before,
            limit=CHRONOLOGY_PAGE_SIZE,
            known=known,
        )
    )
    return Chronology(
        placement_id=placement_id, page=page, event_type=known_type, before=shown.before
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


def fresh_values(
    spec: FormSpec,
    now: datetime,
    language: str | None,
    episode_id: str | None = None,
    profile: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """A fresh form's values: its times are now; the leaflet's language is the child's; the
    police's acknowledgement is of the latest missing episode; the Philomena Protocol profile
    is the one recorded last (``profile``, as its form's text), to be kept up to date."""
    values = fresh_times(spec, now)
    names = {f.name for f in spec.fields}
    if language and "language" in names:
        values["language"] = language
    if episode_id and "episode_id" in names:
        values["episode_id"] = episode_id
    if profile and spec.key == PROFILE_FORM:
        values |= {name: profile.get(name, "") for name in names}
    return values


def profile_text(now: PlacementNow) -> dict[str, str]:
    """The profile recorded last as its form's text (one reference a line); nothing when there
    is none, or the viewer may not see it whole."""
    profile = None if now.state is None else now.state.get("philomena_profile")
    if not profile:
        return {}
    values = {}
    for item in PLACEMENT_FORMS[PROFILE_FORM].fields:
        value = profile.get(item.name)
        if is_hidden(value):
            return {}
        values[item.name] = "\n".join(value) if isinstance(value, list) else str(value or "")
    return values


def latest_episode_id(now: PlacementNow) -> str | None:
    episodes = [] if now.state is None else now.state["missing_episodes"]
    episode_id = episodes[-1]["episode_id"] if episodes else None
    return None if episode_id is None or is_hidden(episode_id) else str(episode_id)


def child_language(now: PlacementNow) -> str | None:
    facts = None if now.state is None else now.state["facts"]
    language = None if facts is None else facts["first_language"]
    return None if language is None or is_hidden(language) else str(language)


async def placement_page(
    asked: PageRequest,
    placement_id: str,
    shown: ChronologyFilter,
    *,
    submitted: tuple[str, FormState] | None = None,
    status: int = 200,
) -> Response:
    now = await read_now(asked, placement_id)
    chronology = await read_chronology(asked, placement_id, shown, known=now.state is not None)
    moment, language, episode_id = datetime.now(UTC), child_language(now), latest_episode_id(now)
    profile = profile_text(now)
    forms = [
        (spec, FormState(values=fresh_values(spec, moment, language, episode_id, profile)))
        for spec in offered_forms(asked.viewer, now)
    ]
    if submitted is not None:
        forms = [(spec, submitted[1] if spec.key == submitted[0] else s) for spec, s in forms]
    return asked.render(
        "placement.html",
        status=status,
        placement=now,
        chronology=chronology,
        forms=forms,
        event_types=EVENT_TYPES,
        recorded=recorded_after_redirect(asked.request),
        started=asked.request.query_params.get("started") == "1",
    )


@router.get(PAGE)
async def show(asked: Asked, placement_id: PlacementId, shown: Filtered) -> Response:
    try:
        return await placement_page(asked, placement_id, shown)
    except Denied as exc:
        if asked.viewer.role not in BREAK_GLASS_ROLES:
            raise
        return _break_glass_page(asked, placement_id, str(exc), FormState(), status=403)


def _break_glass_page(
    asked: PageRequest, placement_id: str, refusal: str, state: FormState, *, status: int
) -> Response:
    """Refused, with the way out a Duty or Registered Manager has out of hours: open the
    record by break-glass, saying why."""
    return asked.render(
        "break_glass.html",
        status=status,
        placement_id=placement_id,
        refusal=refusal,
        state=state,
        action_url=f"{PAGE.format(placement_id=placement_id)}/break-glass",
    )


@router.post(PAGE + "/break-glass")
async def break_glass(asked: Asked, placement_id: PlacementId, form: CheckedForm) -> Response:
    reason = form.get("reason", "").strip()
    if not reason:
        state = FormState(errors={"reason": "say why you need to open this record"})
        return _break_glass_page(asked, placement_id, NOT_YOURS, state, status=422)
    try:
        await open_break_glass(asked.services, asked.viewer.principal, placement_id, reason)
    except ActionRefused as exc:
        state = FormState(values={"reason": reason}, problem=str(exc))
        return _break_glass_page(asked, placement_id, NOT_YOURS, state, status=409)
    return see_other(PAGE.format(placement_id=placement_id))


@router.get(PAGE + "/now")
async def placement_now(asked: Asked, placement_id: PlacementId) -> Response:
    """The page's live part again, after an action was recorded on it."""
    now = await read_now(asked, placement_id)
    if now.state is None and now.deadlines is None:
        # Neither part is the viewer's to read: the gate refuses (and logs) it all the same.
        await open_placement(
            asked.services, asked.viewer.principal, View.placement_state, placement_id
        )
    return asked.render("_placement_now.html", placement=now)


@router.get(PAGE + "/chronology")
async def placement_chronology(
    asked: Asked, placement_id: PlacementId, shown: Filtered
) -> Response:
    """The chronology again, a moment after an action was recorded (the audit trail is
    written just after the workflow accepts it), on a page that showed the placement."""
    chronology = await read_chronology(asked, placement_id, shown, known=True)
    return asked.render(
        "_chronology.html",
        chronology=chronology,
        event_types=EVENT_TYPES,
    )
