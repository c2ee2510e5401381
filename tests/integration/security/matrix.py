"""The need-to-know matrix's parts: who is who to the child, every route of the app (read from
its own route table) by what it names, a minimal valid request for each, and one way to send
it through either door (the API's bearer token, the web page's session cookie and CSRF token).

A route is classified by its path parameters: ``{placement_id}`` or ``{unit_id}`` make it a
read (GET) or an action (POST) on that child or unit, checked for every caller; a route naming
neither must be listed in ``NAMES_NO_CHILD`` with what it is, so a new route is refused by
``classified`` (with its name) until someone says how it is checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from safeside.db import Pool
from safeside.tokens import Principal
from starter.command_fields import ACTIONS
from starter.services.permissions import View, action_key, may_read, may_record
from starter.services.recording import actor_of
from starter.web.form_specs import PLACEMENT_FORMS
from starter.web.session import CSRF_FIELD
from tests.integration.security.request_bodies import action_bodies, unit_bodies, web_forms
from tests.support.security import token_for
from tests.support.sessions import OpenSession, open_session
from workflows.domain.common import Role

R = Role


class Kind(StrEnum):
    """What a route is about, and so how need to know is checked on it."""

    public = "public"  # no token, nothing of any child (health, metrics, docs, signing in)
    organisation = "organisation"  # the administrator's: who works where, no child
    start = "start"  # a new child, in a unit named in the body
    lists = "lists"  # across placements: filtered by relationship
    codec = "codec"  # Temporal payloads for the Temporal UI: managers, no child named
    placement_read = "placement_read"
    placement_action = "placement_action"
    unit_read = "unit_read"
    unit_action = "unit_action"


# Routes that name no placement and no unit, by (method, path), with what they are.
NAMES_NO_CHILD: dict[tuple[str, str], Kind] = {
    ("GET", "/openapi.json"): Kind.public,
    ("GET", "/docs"): Kind.public,
    ("GET", "/docs/oauth2-redirect"): Kind.public,
    ("GET", "/redoc"): Kind.public,
    ("GET", "/health"): Kind.public,
    ("GET", "/health/live"): Kind.public,
    ("GET", "/health/ready"): Kind.public,
    ("GET", "/metrics"): Kind.public,
    ("GET", "/static/{path}"): Kind.public,
    ("GET", "/sign-in"): Kind.public,
    ("GET", "/sign-in/start"): Kind.public,
    ("GET", "/sign-in/callback"): Kind.public,
    ("POST", "/sign-out"): Kind.public,
    ("POST", "/organisation/units"): Kind.organisation,
    ("POST", "/organisation/staff"): Kind.organisation,
    ("POST", "/organisation/memberships"): Kind.organisation,
    ("POST", "/organisation/memberships/end"): Kind.organisation,
    ("POST", "/placements"): Kind.start,
    ("POST", "/placements/adoptions"): Kind.start,
    ("POST", "/placements/imports"): Kind.start,
    ("GET", "/web/start-placement"): Kind.start,
    ("POST", "/web/start-placement"): Kind.start,
    ("POST", "/web/start-placement/change"): Kind.start,
    ("POST", "/web/start-placement/confirm"): Kind.start,
    ("GET", "/web/adopt-placement"): Kind.start,
    ("POST", "/web/adopt-placement"): Kind.start,
    ("GET", "/placements"): Kind.lists,
    ("GET", "/deadlines"): Kind.lists,
    ("GET", "/access-log"): Kind.lists,
    ("GET", "/break-glass"): Kind.lists,
    # The SSDA903 Missing table: the children the reader works with, each read logged.
    ("GET", "/reports/ssda903-missing"): Kind.lists,
    ("GET", "/"): Kind.lists,
    ("GET", "/web/today"): Kind.lists,
    ("GET", "/web/placements"): Kind.lists,
    ("POST", "/codec/encode"): Kind.codec,
    ("POST", "/codec/decode"): Kind.codec,
}

# Reads that answer only with a query: what each is asked with (a period holding every day the
# calendar knows).
LIST_QUERIES: dict[str, dict[str, str]] = {
    "/reports/ssda903-missing": {"from": "2000-01-01", "to": "2100-12-31"},
}

# Path parameters besides the placement's or the unit's, and the values each route is tried
# with: every form the web page offers.
OTHER_PARAMETERS: dict[str, tuple[str, ...]] = {
    "action": tuple(PLACEMENT_FORMS),
    # The Temporal web UI, served through the page for managers (no child named).
    "rest": ("namespaces/default/workflows", "api/v1/namespaces/default/workflows"),
}
# Served through the page: the Temporal web UI, the codec's for managers.
TEMPORAL_UI = "/temporal-ui"


@dataclass(frozen=True)
class RouteCase:
    """One route, with its other path parameters filled in: one row of the matrix."""

    name: str
    method: str
    path: str  # with {placement_id} or {unit_id} still to fill
    kind: Kind
    web: bool

    def url(self, placement_id: str = "", unit_id: str = "") -> str:
        return self.path.format(placement_id=placement_id, unit_id=unit_id)

    @property
    def label(self) -> str:
        return f"{self.method} {self.path} ({self.name})"


class UnclassifiedRoute(AssertionError):
    """A route the matrix does not know how to check: say what it is in ``NAMES_NO_CHILD``,
    or give it a placement or unit id in its path so the relationship check covers it."""


def _is_web(path: str) -> bool:
    return path == "/" or path.startswith(("/web/", "/sign-", "/static/", TEMPORAL_UI))


def route_cases(app: FastAPI) -> Iterator[RouteCase]:
    """Every route of the app (API and web page, as the app routes them), one case for each
    method and each value of a parameter other than the placement's or the unit's."""
    for route in iter_route_contexts(app.routes):
        path, name = route.path_format or route.path or "", route.name or "?"
        methods = sorted((route.methods or {"GET"}) - {"HEAD"})
        for method in methods:
            for filled in _filled(path, name):
                yield RouteCase(
                    name, method, filled, classified(method, filled, name), _is_web(path)
                )


def _filled(path: str, name: str) -> Iterator[str]:
    others = [p for p in re.findall(r"{(\w+)}", path) if p not in ("placement_id", "unit_id")]
    if path.startswith("/static/"):
        yield path
        return
    if not others:
        yield path
        return
    if len(others) > 1 or others[0] not in OTHER_PARAMETERS:
        raise UnclassifiedRoute(f"{path} ({name}): which values of {others} should be tried?")
    for value in OTHER_PARAMETERS[others[0]]:
        yield path.replace("{" + others[0] + "}", value)


def classified(method: str, path: str, name: str) -> Kind:
    if "{placement_id}" in path:
        return Kind.placement_read if method == "GET" else Kind.placement_action
    if "{unit_id}" in path:
        return Kind.unit_read if method == "GET" else Kind.unit_action
    kind = NAMES_NO_CHILD.get((method, path))
    if kind is None and path.startswith(TEMPORAL_UI):
        kind = Kind.codec
    if kind is None:
        raise UnclassifiedRoute(
            f"{method} {path} ({name}) names no placement nor unit and is not in NAMES_NO_CHILD:"
            " say what it is, and how need to know is checked on it"
        )
    return kind


# -- People -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    role: Role
    subject: str

    @property
    def principal(self) -> Principal:
        return Principal(subject=self.subject, role=self.role)

    @property
    def token(self) -> str:
        return _token(self.role, self.subject)

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def __str__(self) -> str:
        return f"{self.subject} as {self.role.value}"


_TOKENS: dict[tuple[Role, str], str] = {}


def _token(role: Role, subject: str) -> str:
    # One token a person: an answer's body must be the same for the same person whichever
    # child it refuses.
    if (role, subject) not in _TOKENS:
        _TOKENS[(role, subject)] = token_for(role, subject, hours=2)
    return _TOKENS[(role, subject)]


IRO_REF, SW_REF = "iro-7", "sw-204"
# Who works with the child of the matrix (in the test's own unit, made with staff-01 and
# staff-17 as members; sw-204 from the start facts; the IRO allocated), one a role.
RELATED = {
    R.residential_worker: Person(R.residential_worker, "staff-17"),
    R.key_worker: Person(R.key_worker, "staff-17"),
    R.duty_manager: Person(R.duty_manager, "staff-01"),
    R.registered_manager: Person(R.registered_manager, "staff-01"),
    R.social_worker: Person(R.social_worker, SW_REF),
    R.independent_reviewing_officer: Person(R.independent_reviewing_officer, IRO_REF),
    R.auditor: Person(R.auditor, "aud-1"),  # oversees every placement
}
ADMINISTRATOR = Person(R.administrator, "admin-01")
# The same roles, working elsewhere: UNIT-OTHER's staff, a social worker and an IRO allocated
# to other children; and staff-17 signing in with a role the directory does not give them.
UNRELATED = {
    R.residential_worker: Person(R.residential_worker, "rw-other"),
    R.key_worker: Person(R.key_worker, "kw-other"),
    R.duty_manager: Person(R.duty_manager, "dm-other"),
    R.registered_manager: Person(R.registered_manager, "rm-other"),
    R.social_worker: Person(R.social_worker, "sw-other"),
    R.independent_reviewing_officer: Person(R.independent_reviewing_officer, "iro-other"),
}
NOT_THEIR_ROLE = Person(R.duty_manager, "staff-17")
# In the directory as UNIT-OTHER's (tests.support.organisation adds kw-other and dm-other).
OTHER_UNIT_STAFF = {"rw-other": [R.residential_worker], "rm-other": [R.registered_manager]}


# -- Requests ---------------------------------------------------------------------------------


def action_key_of(name: str, body: dict[str, Any], person: Person) -> str:
    """The permission table's key of the action ``name`` with ``body``."""
    command = ACTIONS[name].model.model_validate(body | {"actor": actor_of(person.principal)})
    return action_key(command)


@dataclass
class Doors:
    """Sends a route's request as a person: a bearer token to the API, the session cookie (and
    the session's CSRF token in every form) to the web page."""

    http: httpx.AsyncClient
    app: FastAPI
    residents: list[str]
    # One web session a person, opened as if they had signed in (the sign-in itself is
    # tests/integration/web's): a page's body must be the same for the same person
    # whichever child it refuses.
    sessions: dict[Person, OpenSession] = field(default_factory=dict)

    async def session(self, person: Person) -> OpenSession:
        if person not in self.sessions:
            self.sessions[person] = await open_session(
                self.app.state.web_sessions, person.role, person.subject
            )
        return self.sessions[person]

    async def send(
        self, case: RouteCase, person: Person, *, placement_id: str = "", unit_id: str = ""
    ) -> httpx.Response:
        url = case.url(placement_id, unit_id)
        last = url.rstrip("/").rsplit("/", 1)[-1]
        if case.web:
            session = await self.session(person)
            headers = session.cookie_header
            if case.method == "GET":
                return await self.http.get(url, headers=headers)
            form = web_forms(self.residents, person.subject).get(last)
            if form is None:
                raise UnclassifiedRoute(f"{case.label}: no form to post: add one to web_forms")
            form = form | {CSRF_FIELD: session.csrf_token}
            return await self.http.post(url, data=form, headers=headers)
        headers = person.bearer
        if case.method == "GET":
            return await self.http.get(url, headers=headers, params=LIST_QUERIES.get(case.path))
        return await self.http.post(url, json=self.api_body(case, last), headers=headers)

    def api_body(self, case: RouteCase, last: str) -> dict[str, Any]:
        if case.kind is Kind.placement_action:
            if "/actions/" in case.path:
                return action_bodies()[last]
            if last == "allocations":
                return {"role": "key_worker", "staff_ref": "staff-17"}
            if last == "break-glass":
                return {"reason": "covering the night shift"}
            if last == "policy":  # the policy in force: nothing to send
                return {}
        if case.kind is Kind.unit_action:
            body = unit_bodies(self.residents).get(last)
            if body is not None:
                return body
        raise UnclassifiedRoute(f"{case.label}: no minimal valid body: add one")


# -- What each caller may do ------------------------------------------------------------------

# The API's reads of one placement, by the end of their path, and the view each reads.
API_VIEWS = {
    "/placements/{placement_id}": View.placement_state,
    "/placements/{placement_id}/deadlines": View.placement_deadlines,
    "/placements/{placement_id}/handover": View.handover,
    "/placements/{placement_id}/audit": View.audit_trail,
    "/placements/{placement_id}/notifications": View.notifications,
    "/placements/{placement_id}/philomena": View.philomena_profile,
    "/placements/{placement_id}/reg40-register": View.reg40_register,
    "/placements/{placement_id}/missing-record": View.missing_record,
}
# The web page's reads of one placement, and the views each shows (a part the viewer's role
# may not read is left out; a route none of whose parts the role may read refuses).
WEB_VIEWS = {
    "/web/placements/{placement_id}": (
        View.placement_state, View.placement_deadlines, View.notifications, View.audit_trail,
    ),
    "/web/placements/{placement_id}/now": (
        View.placement_state, View.placement_deadlines, View.notifications,
    ),
    "/web/placements/{placement_id}/chronology": (View.audit_trail,),
    "/web/placements/{placement_id}/philomena": (View.philomena_profile,),
    "/web/placements/{placement_id}/reg40-register": (View.reg40_register,),
    "/web/placements/{placement_id}/reg40-register.csv": (View.reg40_register,),
    "/web/placements/{placement_id}/missing-record": (View.missing_record,),
    "/web/placements/{placement_id}/missing-record.csv": (View.missing_record,),
}  # fmt: skip
# The reads of a unit other than its handover (which every unit role reads), by path: the
# inspection evidence and the reg 45 review, for some of the unit's roles only.
UNIT_VIEWS = {
    "/units/{unit_id}/reg40-register": View.reg40_register,
    "/units/{unit_id}/missing-record": View.missing_record,
    "/web/units/{unit_id}/reg40-register": View.reg40_register,
    "/web/units/{unit_id}/reg40-register.csv": View.reg40_register,
    "/web/units/{unit_id}/missing-record": View.missing_record,
    "/web/units/{unit_id}/missing-record.csv": View.missing_record,
    "/web/units/{unit_id}/quality-review": View.quality_review,
}
BREAK_GLASS_ROLES = frozenset({R.duty_manager, R.registered_manager})
POLICY_ROLES = frozenset({R.registered_manager})
# The web page's placement actions outside its action forms, by their path's end: each records
# the domain's action of the same name (Today's "I am dealing with this").
WEB_ACTIONS = frozenset({"acknowledge-escalation"})


def views_read(case: RouteCase) -> tuple[View, ...]:
    """The views a read of one placement shows."""
    if case.path in WEB_VIEWS:
        return WEB_VIEWS[case.path]
    if case.path in API_VIEWS:
        return (API_VIEWS[case.path],)
    raise UnclassifiedRoute(f"{case.label}: which views does it read? add it to API_VIEWS")


def may_do(case: RouteCase, person: Person) -> bool:
    """Whether the person's role may do what the route does (the permission table), for a
    caller who works with the child or the unit."""
    last = case.path.rsplit("/", 1)[-1]
    if case.path.endswith("/break-glass"):
        return person.role in BREAK_GLASS_ROLES
    if case.path.endswith("/allocations"):
        return person.role in (R.registered_manager, R.administrator)
    if case.path.endswith("/policy"):
        return person.role in POLICY_ROLES
    if case.kind is Kind.placement_action and "/actions/" in case.path:
        body = action_bodies()[last]
        return may_record(person.role, action_key_of(last, body, person))
    if case.kind is Kind.placement_action and last in WEB_ACTIONS:
        return may_record(person.role, action_key_of(last, action_bodies()[last], person))
    if case.kind is Kind.placement_read:
        return any(may_read(person.role, view) for view in views_read(case))
    if case.kind is Kind.unit_read and case.path in UNIT_VIEWS:
        unit_roles = {R.residential_worker, R.key_worker, R.duty_manager, R.registered_manager}
        return person.role in unit_roles and may_read(person.role, UNIT_VIEWS[case.path])
    return person.role in {R.residential_worker, R.key_worker, R.duty_manager,
                           R.registered_manager}  # fmt: skip


async def access_log_since(pool: Pool, after: int) -> list[dict[str, Any]]:
    rows = await pool.fetch("SELECT * FROM access_log WHERE id > $1 ORDER BY id", after)
    return [dict(row) for row in rows]


async def last_access_id(pool: Pool) -> int:
    last: int = await pool.fetchval("SELECT coalesce(max(id), 0) FROM access_log")
    return last
