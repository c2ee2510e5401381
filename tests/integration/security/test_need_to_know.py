"""Need to know (issue 17), over every route of the API and the web page, read from the app's own
route table: every role, as someone who works with the child (related), someone who does not
(unrelated: another unit's staff, a social worker or IRO allocated elsewhere, a role the
directory does not give), and a manager who opened the record by break-glass. Checked: the
status, that nothing of the child reaches whoever may not see it (markers planted in every
free-text and reference field, ``markers``), redaction by each role's allow-list, the
access-log row of every read, and that a refusal says nothing of what exists: a child of another
unit is refused exactly as a child who does not exist.

The child, its unit and its story are made once a test (each test has its own database); each
test loops over its part of the matrix and reports every cell that fails, not just the first.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from safeside import need_to_know as allow_list
from safeside.db import Pool
from starter.api.app import create_app
from starter.services.connection import Services
from starter.services.permissions import VIEWS
from starter.services.reading import NOT_YOUR_UNIT, NOT_YOURS
from tests.integration.security.markers import (
    Story,
    tell_story,
    unredacted_hidden_fields,
)
from tests.integration.security.matrix import (
    ADMINISTRATOR,
    API_VIEWS,
    BREAK_GLASS_ROLES,
    NOT_THEIR_ROLE,
    OTHER_UNIT_STAFF,
    RELATED,
    UNRELATED,
    Doors,
    Kind,
    Person,
    RouteCase,
    UnclassifiedRoute,
    access_log_since,
    last_access_id,
    may_do,
    route_cases,
)
from tests.support.organisation import given_staff
from tests.support.placements import new_placement_id
from tests.support.starter import Cli, eventually
from workflows.domain.common import LOCATION_ENTITLED_ROLES, Role

pytestmark = pytest.mark.usefixtures("worker")

R = Role
CHILD_KINDS = {Kind.placement_read, Kind.placement_action, Kind.unit_read, Kind.unit_action}
READS = {Kind.placement_read, Kind.unit_read}
MADE_UP_UNIT = "UNIT-NOBODY-0001"


@dataclass
class World:
    pool: Pool
    doors: Doors
    story: Story
    cases: list[RouteCase]
    made_up_placement: str = field(default_factory=new_placement_id)

    @property
    def child_cases(self) -> list[RouteCase]:
        return [case for case in self.cases if case.kind in CHILD_KINDS]

    async def send(self, case: RouteCase, person: Person, *, real: bool = True) -> httpx.Response:
        if real:
            ids = {"placement_id": self.story.placement_id, "unit_id": self.story.unit_id}
        else:
            ids = {"placement_id": self.made_up_placement, "unit_id": MADE_UP_UNIT}
        return await self.doors.send(case, person, **ids)

    def anonymised(self, text: str) -> str:
        """An answer with the ids it was asked about taken out (a page's form names its own
        address), so a real child's refusal and a made-up one's can be compared."""
        for real, made_up, placeholder in (
            (self.story.placement_id, self.made_up_placement, "{placement_id}"),
            (self.story.unit_id, MADE_UP_UNIT, "{unit_id}"),
        ):
            text = text.replace(real, placeholder).replace(made_up, placeholder)
        return text


@pytest_asyncio.fixture(loop_scope="session")
async def world(services: Services, pool: Pool) -> AsyncIterator[World]:
    for staff_ref, roles in OTHER_UNIT_STAFF.items():
        await given_staff(pool, staff_ref, roles, ["UNIT-OTHER"])
    app = create_app(services)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://safeside.test", timeout=60
    ) as http:
        story = await tell_story(http, pool)
        doors = Doors(http=http, app=app, residents=[story.placement_id])
        yield World(pool=pool, doors=doors, story=story, cases=list(route_cases(app)))


def _detail(answer: httpx.Response) -> str:
    if answer.headers.get("content-type", "").startswith("application/json"):
        return str(answer.json().get("detail"))
    return answer.text


async def _written(pool: Pool) -> tuple[int, ...]:
    """What a refused request must not change: events, grants, allocations, the directory."""
    counts = await pool.fetchrow(
        """SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM break_glass),
                  (SELECT count(*) FROM allocations), (SELECT count(*) FROM organisation_events),
                  (SELECT count(*) FROM unit_checks)"""
    )
    assert counts is not None
    return tuple(counts)


async def test_every_route_of_the_app_is_in_the_matrix(services: Services) -> None:
    """``route_cases`` raises for a route it cannot classify (naming it), so a new route fails
    every test here until someone says how need to know is checked on it; and the matrix
    covers the routes that name a child or a unit through both doors."""
    new = FastAPI()
    new.get("/children-nearby")(lambda: None)
    with pytest.raises(UnclassifiedRoute, match="children-nearby"):
        list(route_cases(new))
    # A new read of a placement is refused to the unrelated at once, and to the related until
    # someone says which views it shows.
    photos = RouteCase("photos", "GET", "/placements/{placement_id}/photos", Kind.placement_read,
                       web=False)  # fmt: skip
    with pytest.raises(UnclassifiedRoute, match="photos"):
        may_do(photos, RELATED[R.key_worker])
    cases = list(route_cases(create_app(services)))
    kinds = {kind: [c for c in cases if c.kind is kind] for kind in Kind}
    assert len(kinds[Kind.placement_read]) == 7  # the API's four, the page's three
    assert len(kinds[Kind.unit_read]) == 3
    assert {c.path for c in kinds[Kind.placement_action] if "/actions/" in c.path} >= {
        f"/placements/{{placement_id}}/actions/{name}"
        for name in ("observation", "end-placement", "report-missing")
    }
    api_lists = {c.path for c in kinds[Kind.lists] if not c.web}
    assert api_lists == {"/placements", "/deadlines", "/access-log", "/break-glass"}


async def test_whoever_does_not_work_with_the_child_is_refused_alike_on_every_route(
    world: World,
) -> None:
    """Every route naming the child or its unit, for every unrelated person and for the
    administrator: 403, the same status and body as for a child that does not exist, nothing of
    the child in the answer, each read in the access log as refused, and nothing written; and
    no list (API or page) shows the child to them."""
    problems: list[str] = []
    before = await _written(world.pool)
    people = [*UNRELATED.values(), NOT_THEIR_ROLE, ADMINISTRATOR]
    for person in people:
        for case in world.child_cases:
            if case.path.endswith("/break-glass") and person.role in BREAK_GLASS_ROLES:
                continue  # a manager's way in: test_break_glass...
            if case.path.endswith("/allocations") and person is ADMINISTRATOR:
                continue  # the administrator's own work: the related test
            problems += await _refused_alike(world, case, person)
        for case in world.cases:
            if case.kind is Kind.lists and case.method == "GET":
                answer = await world.send(case, person)
                shown = world.story.markers.in_(answer.text)
                if world.story.placement_id in answer.text or shown:
                    problems.append(f"{case.label} as {person} lists the child: {sorted(shown)}")
    after = await _written(world.pool)
    if after != before:
        problems.append(f"refused requests wrote something: {before} -> {after}")
    assert not problems, "\n".join(problems)


async def _refused_alike(world: World, case: RouteCase, person: Person) -> list[str]:
    label = f"{case.label} as {person}"
    problems: list[str] = []
    since = await last_access_id(world.pool)
    real = await world.send(case, person)
    logged = await access_log_since(world.pool, since)
    made_up = await world.send(case, person, real=False)
    if real.status_code != 403:
        problems.append(f"{label}: {real.status_code}, not 403: {_detail(real)[:200]}")
    if (real.status_code, world.anonymised(real.text)) != (
        made_up.status_code,
        world.anonymised(made_up.text),
    ):
        problems.append(
            f"{label}: a real child's answer ({real.status_code}) differs from a made-up one's "
            f"({made_up.status_code}): {_detail(real)[:120]!r} / {_detail(made_up)[:120]!r}"
        )
    leaked = world.story.markers.in_(real.text)
    if leaked:
        problems.append(f"{label}: the answer holds {sorted(leaked)}")
    if case.kind in READS:
        problems += _refusal_logged(world, case, person, logged, label)
    return problems


def _refusal_logged(
    world: World, case: RouteCase, person: Person, logged: list[dict[str, Any]], label: str
) -> list[str]:
    ours = [row for row in logged if row["subject"] == person.subject]
    if not ours:
        return [f"{label}: the refused read is not in the access log"]
    problems = []
    for row in ours:
        if row["role"] != person.role.value or row["allowed"]:
            problems.append(f"{label}: logged as {row['role']}, allowed={row['allowed']}")
        if case.kind is Kind.placement_read and row["placement_id"] != world.story.placement_id:
            problems.append(f"{label}: logged for placement {row['placement_id']}")
        if case.kind is Kind.unit_read and row["unit_id"] != world.story.unit_id:
            problems.append(f"{label}: logged for unit {row['unit_id']}")
    return problems


async def test_a_key_worker_of_another_unit_gets_403_with_no_hint_of_what_exists(
    world: World,
) -> None:
    """Issue 17's test of done, on its own: every read and action on a child of another unit
    answers exactly as for no child at all, and the words are the same."""
    key_worker = UNRELATED[R.key_worker]
    answers = []
    for case in world.child_cases:
        real, made_up = (
            await world.send(case, key_worker),
            await world.send(case, key_worker, real=False),
        )
        answers.append((case.label, real.status_code, made_up.status_code))
        assert real.status_code == made_up.status_code == 403, (case.label, real.text[:300])
        assert world.anonymised(real.text) == world.anonymised(made_up.text), case.label
        if not case.web and case.kind in READS:
            expected = NOT_YOURS if case.kind is Kind.placement_read else NOT_YOUR_UNIT
            assert real.json() == {"detail": expected}, case.label
    assert len(answers) == len(world.child_cases) > 40


async def test_those_who_work_with_the_child_read_it_redacted_for_their_role(
    world: World,
) -> None:
    """Every read of the child and its unit, for the person of each role who works with them
    (and the administrator, who reads no child): the status the permission table gives, each
    read logged as allowed or refused, every field outside the role's allow-list redacted, no
    marker beyond it."""
    problems: list[str] = []
    reads = [case for case in world.child_cases if case.kind in READS]
    for person in [*RELATED.values(), ADMINISTRATOR]:
        for case in reads:
            label = f"{case.label} as {person}"
            since = await last_access_id(world.pool)
            answer = await world.send(case, person)
            logged = [r for r in await access_log_since(world.pool, since)]
            expected = _read_status(case, person)
            if answer.status_code != expected:
                detail = _detail(answer)[:200]
                problems.append(f"{label}: {answer.status_code}, not {expected}: {detail}")
            leaked = world.story.markers.leaked(person.role, answer.text)
            problems += [f"{label}: {marker}" for marker in leaked]
            if answer.status_code == 200 and not case.web:
                hidden = unredacted_hidden_fields(person.role, answer.json())
                if hidden:
                    problems.append(f"{label}: not redacted: {hidden[:5]}")
            problems += _read_logged(world, case, person, logged, label)
    assert not problems, "\n".join(problems)


def _read_status(case: RouteCase, person: Person) -> int:
    """The permission table's answer to a read by someone who works with the child (the
    auditor oversees every child; the administrator none)."""
    if person.role is R.administrator:
        return 403
    return 200 if may_do(case, person) else 403


def _read_logged(
    world: World, case: RouteCase, person: Person, logged: list[dict[str, Any]], label: str
) -> list[str]:
    ours = [row for row in logged if row["subject"] == person.subject]
    if not ours:
        return [f"{label}: the read is not in the access log"]
    problems = []
    for row in ours:
        if row["role"] != person.role.value:
            problems.append(f"{label}: logged as {row['role']}")
        if case.kind is Kind.placement_read and row["placement_id"] != world.story.placement_id:
            problems.append(f"{label}: logged for placement {row['placement_id']}")
        if case.kind is Kind.unit_read and row["unit_id"] != world.story.unit_id:
            problems.append(f"{label}: logged for unit {row['unit_id']}")
    if not case.web and case.kind is Kind.placement_read:
        view = API_VIEWS[case.path]
        expected = [(view.value, person.role in VIEWS[view])]
        if [(row["what"], row["allowed"]) for row in ours] != expected:
            problems.append(f"{label}: logged {[(r['what'], r['allowed']) for r in ours]}")
    return problems


async def test_a_manager_of_another_unit_opens_the_child_by_break_glass_and_it_is_seen(
    world: World, pool: Pool
) -> None:
    """Refused, then open for a reason (through the API and through the page's form on the
    refusal): reads and actions allowed, every read logged with the reason, the child's
    Registered Manager told through the outbox, and every use listed for the auditor alone."""
    story, placement_id = world.story, world.story.placement_id
    duty, manager = UNRELATED[R.duty_manager], UNRELATED[R.registered_manager]
    cases = {(c.method, c.path): c for c in world.cases}
    api_state = cases[("GET", "/placements/{placement_id}")]
    page = cases[("GET", "/web/placements/{placement_id}")]

    refused = await world.send(api_state, duty)
    assert refused.status_code == 403
    opened = await world.doors.http.post(
        f"/placements/{placement_id}/break-glass",
        json={"reason": "covering UNIT-7 tonight: child distressed"},
        headers={"Authorization": f"Bearer {duty.token}"},
    )
    assert opened.status_code == 201, opened.text
    # The page offers the form on its refusal; posting it opens the record.
    offered = await world.send(page, manager)
    assert offered.status_code == 403
    assert "break-glass" in offered.text
    assert 'name="reason"' in offered.text
    form = cases[("POST", "/web/placements/{placement_id}/break-glass")]
    posted = await world.send(form, manager)
    assert posted.status_code == 303, posted.text[:300]

    for person in (duty, manager):
        for case in world.child_cases:
            if case.kind is not Kind.placement_read:
                continue
            since = await last_access_id(pool)
            answer = await world.send(case, person)
            assert answer.status_code == 200, (case.label, str(person), answer.text[:300])
            assert not story.markers.leaked(person.role, answer.text)
            logged = await access_log_since(pool, since)
            assert logged, case.label
            assert all(row["allowed"] and row["break_glass_reason"] for row in logged), (
                case.label,
                logged,
            )
    observation = cases[("POST", "/placements/{placement_id}/actions/observation")]
    assert (await world.send(observation, duty)).status_code == 200
    # Break-glass opens this child only: another unit's key worker is still refused.
    assert (await world.send(api_state, UNRELATED[R.key_worker])).status_code == 403

    async def manager_told() -> bool:
        told = await pool.fetchval(
            """SELECT count(*) FROM notifications WHERE stream_id = $1
                AND purpose = 'break_glass_opened' AND recipient = 'registered_manager'""",
            placement_id,
        )
        return bool(told >= 2)

    await eventually(manager_told, within=30)
    auditor = RELATED[R.auditor]
    uses = await world.doors.http.get(
        "/break-glass", headers={"Authorization": f"Bearer {auditor.token}"}
    )
    assert [(u["staff_ref"], u["placement_id"]) for u in uses.json()] == [
        (manager.subject, placement_id),
        (duty.subject, placement_id),
    ]
    for person in (duty, RELATED[R.key_worker]):
        listed = await world.doors.http.get(
            "/break-glass", headers={"Authorization": f"Bearer {person.token}"}
        )
        assert listed.status_code == 403


async def test_a_role_the_directory_does_not_give_opens_nothing_by_break_glass(
    world: World,
) -> None:
    """staff-17 is a key and residential worker in the directory: a duty manager's token in
    their name must not open a child by break-glass (the directory, not the token, says who is
    a manager)."""
    case = next(c for c in world.cases if c.path == "/placements/{placement_id}/break-glass")
    answer = await world.send(case, NOT_THEIR_ROLE)
    assert answer.status_code == 403, (
        "break-glass opened for a role the staff directory does not give this person "
        f"(starter/services/break_glass.py open_break_glass checks the token's role only): "
        f"{answer.status_code} {answer.text[:200]}"
    )


async def test_those_who_work_with_the_child_act_as_their_role_allows(world: World) -> None:
    """Every action on the child and its unit, through both doors, by the person of each role
    who works with them: what the permission table allows gets through the relationship check
    (recorded, or refused by the domain with its own reason); the rest is refused for the
    role. The placement is ended last."""
    problems: list[str] = []
    actions = [case for case in world.child_cases if case.kind not in READS]
    actions.sort(key=lambda case: case.path.endswith("/end-placement"))
    for case in actions:
        for person in [*RELATED.values(), ADMINISTRATOR]:
            answer = await world.send(case, person)
            label = f"{case.label} as {person}"
            allowed = may_do(case, person)
            detail = _detail(answer)
            through = answer.status_code in (200, 201, 303, 409)
            if allowed and (not through or NOT_YOURS in detail or NOT_YOUR_UNIT in detail):
                problems.append(f"{label}: {answer.status_code}: {detail[:200]}")
            if not allowed and answer.status_code != 403:
                problems.append(f"{label}: {answer.status_code}, not 403: {detail[:200]}")
    assert not problems, "\n".join(problems)


async def test_markers_reach_only_the_roles_whose_allow_list_names_their_field(
    world: World, safeside: Cli
) -> None:
    """Every read of the child, its unit and the lists, through the API, the web page and the
    command line, as each role: a marker never reaches a role whose allow-list lacks its
    field, and every marker a role may see reaches it somewhere (so the markers were there to
    hide)."""
    markers, problems = world.story.markers, []
    reads = [c for c in world.cases if c.method == "GET" and c.kind in READS | {Kind.lists}]
    # The unit's own records (a house meeting's topics, who handed over) are counted in its
    # handover, never shown: they are planted to be looked for, not to be met.
    summarised = markers.planted_in(allow_list.FieldGroup.unit)
    for person in [*RELATED.values(), ADMINISTRATOR]:
        seen = {"api": "", "web": "", "cli": ""}
        for case in reads:
            answer = await world.send(case, person)
            leaked = markers.leaked(person.role, answer.text)
            problems += [f"{case.label} as {person}: {marker}" for marker in leaked]
            seen["web" if case.web else "api"] += answer.text
        for args in _cli_reads(world.story):
            result = await safeside(*args, env={"SAFESIDE_TOKEN": person.token})
            command = f"safeside {' '.join(args)}"
            if result.exit_code not in (0, 1):  # 1: refused, with the reason
                problems.append(f"{command} as {person}: exit {result.exit_code}")
            leaked = markers.leaked(person.role, result.output)
            problems += [f"{command} as {person}: {marker}" for marker in leaked]
            seen["cli"] += result.output
        for door, text in seen.items():
            unseen = markers.visible_to(person.role) - markers.in_(text) - summarised
            if unseen:
                problems.append(f"{person} never saw {sorted(unseen)} in the {door}")
    assert not problems, "\n".join(problems)


async def test_notifications_carry_no_location_nor_field_beyond_the_recipient_s_allow_list(
    world: World,
) -> None:
    """Every message the child's story sent (the outbox): no place, unit or unit check reaches
    a recipient not entitled to the location (``activities.notifications.redacted_for``), and
    no staff role's message holds a field its allow-list lacks."""
    markers = world.story.markers
    location = markers.planted_in(allow_list.FieldGroup.location)
    rows = await world.pool.fetch(
        "SELECT recipient, purpose, content::text AS content FROM notifications"
        " WHERE stream_id = $1",
        world.story.placement_id,
    )
    assert rows, "the story sent no notification"
    staff_roles = {role.value for role in allow_list.DECIDED_ROLES}
    problems = []
    for row in rows:
        label = f"notification {row['purpose']} to {row['recipient']}"
        if row["recipient"] not in LOCATION_ENTITLED_ROLES:
            problems += [f"{label}: {m}" for m in sorted(location) if m in row["content"]]
        if row["recipient"] in staff_roles:
            leaked = markers.leaked(Role(row["recipient"]), row["content"])
            problems += [f"{label}: {marker}" for marker in leaked]
    # Proof the markers were there: the police's proforma holds where the child was last seen.
    assert any(
        row["recipient"] == "police" and markers.in_(row["content"]) & location for row in rows
    ), "no location marker reached the police"
    assert not problems, "\n".join(problems)


def _cli_reads(story: Story) -> list[tuple[str, ...]]:
    """The command line's reads of the child, the lists and the unit."""
    return [
        ("placement", "show", story.placement_id, "--json"),
        ("placement", "audit", story.placement_id, "--format", "json"),
        ("placement", "list", "--json"),
        ("deadlines", "--json"),
        ("unit", "handover", story.unit_id, "--json"),
    ]


async def test_a_start_and_the_organisation_s_routes_name_units_only_for_those_who_may(
    world: World,
) -> None:
    """The routes that name a unit in their body: a Registered Manager starts a child only in
    a unit they belong to (an unknown unit is a field error), through either door; only the
    administrator changes who works where."""
    http, story = world.doors.http, world.story
    elsewhere, ours = UNRELATED[R.registered_manager], RELATED[R.registered_manager]
    facts = {
        "placement_id": new_placement_id(), "case_reference": "CASE-9", "unit_id": story.unit_id,
        "first_language": "Tigrinya", "looked_after_since": "2026-01-01",
        "arrived_at": "2026-01-01T10:00:00+00:00", "placing_authority": "A council",
        "social_worker_reference": "sw-204", "initial_risk_level": "high", "ukvi_relevant": True,
    }  # fmt: skip
    refused = await http.post("/placements", json=facts, headers=_bearer(elsewhere))
    assert refused.status_code == 403, refused.text
    assert "only in a unit you belong to" in refused.json()["detail"]
    unknown = await http.post(
        "/placements", json=facts | {"unit_id": MADE_UP_UNIT}, headers=_bearer(ours)
    )
    assert unknown.status_code == 422, unknown.text
    assert [e["field"] for e in unknown.json()["errors"]] == ["unit_id"]
    form = {k: str(v) for k, v in facts.items()} | {
        "arrived_at": "2026-01-01T10:00",
        "ukvi_relevant": "yes",
        "csrf_token": world.doors.csrf(elsewhere),
    }
    page = await http.post(
        "/web/start-placement", data=form, headers={"Cookie": f"safeside_session={elsewhere.token}"}
    )
    assert page.status_code == 403, page.text[:300]
    assert "only in a unit you belong to" in page.text
    organisation = [c for c in world.cases if c.kind is Kind.organisation]
    bodies = {
        "/organisation/units": {"unit_id": "UNIT-NEW-1", "display_name": "New House"},
        "/organisation/staff": {"staff_ref": "kw-new", "roles": ["key_worker"]},
        "/organisation/memberships": {"staff_ref": "kw-other", "unit_id": story.unit_id},
        "/organisation/memberships/end": {"staff_ref": "staff-17", "unit_id": story.unit_id},
    }
    for case in organisation:
        for person in RELATED.values():
            answer = await http.post(case.path, json=bodies[case.path], headers=_bearer(person))
            assert answer.status_code == 403, (case.label, str(person), answer.text)


def _bearer(person: Person) -> dict[str, str]:
    return {"Authorization": f"Bearer {person.token}"}
