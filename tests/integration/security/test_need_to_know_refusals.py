"""Need to know (issue 17): whoever does not work with the child is refused on every route of
the API and the web page, alike for a child who does not exist, with nothing of the child in
the answer and each refused read in the access log; and the routes that name a unit in their
body refuse whoever is not of that unit. The world and the matrix: ``need_to_know_world``."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from safeside.db import Pool
from starter.api.app import create_app
from starter.services.connection import Services
from starter.services.reading import NOT_YOUR_UNIT, NOT_YOURS
from tests.integration.security.matrix import (
    ADMINISTRATOR,
    BREAK_GLASS_ROLES,
    NOT_THEIR_ROLE,
    RELATED,
    UNRELATED,
    Kind,
    Person,
    RouteCase,
    UnclassifiedRoute,
    access_log_since,
    last_access_id,
    may_do,
    route_cases,
)
from tests.integration.security.need_to_know_world import (
    READS,
    World,
    access_log_problems,
    answer_detail,
    assert_names_only_the_managers_own_units,
)
from tests.support.placements import new_placement_id
from tests.support.start_facts import start_form
from workflows.domain.common import Role

pytestmark = pytest.mark.usefixtures("worker")

R = Role


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
    # The API's eight, the page's eight (the inspection evidence's pages and files among them).
    assert len(kinds[Kind.placement_read]) == 16
    # The handover's three; the evidence's (the API's two, the page's four) and the review's.
    assert len(kinds[Kind.unit_read]) == 10
    assert {c.path for c in kinds[Kind.placement_action] if "/actions/" in c.path} >= {
        f"/placements/{{placement_id}}/actions/{name}"
        for name in ("observation", "end-placement", "report-missing")
    }
    api_lists = {c.path for c in kinds[Kind.lists] if not c.web}
    assert api_lists == {
        "/placements",
        "/deadlines",
        "/access-log",
        "/break-glass",
        "/reports/ssda903-missing",
    }


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
        problems.append(f"{label}: {real.status_code}, not 403: {answer_detail(real)[:200]}")
    if (real.status_code, world.anonymised(real.text)) != (
        made_up.status_code,
        world.anonymised(made_up.text),
    ):
        problems.append(
            f"{label}: a real child's answer ({real.status_code}) differs from a made-up one's "
            f"({made_up.status_code}): {answer_detail(real)[:120]!r} / "
            f"{answer_detail(made_up)[:120]!r}"
        )
    leaked = world.story.markers.in_(real.text)
    if leaked:
        problems.append(f"{label}: the answer holds {sorted(leaked)}")
    if case.kind in READS:
        problems += access_log_problems(world, case, person, logged, label, refused=True)
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
        if not case.web and case.kind in READS and may_do(case, key_worker):
            expected = NOT_YOURS if case.kind is Kind.placement_read else NOT_YOUR_UNIT
            assert real.json() == {"detail": expected}, case.label
        elif not case.web and case.kind in READS:  # the role's refusal, for any child alike
            assert "the role key_worker may not read" in real.json()["detail"], case.label
    assert len(answers) == len(world.child_cases) > 40


async def test_a_start_and_the_organisation_s_routes_name_units_only_for_those_who_may(
    world: World,
) -> None:
    """The routes that name a unit in their body: a Registered Manager starts a child only in
    a unit they belong to (an unknown unit is a field error), through either door; only the
    administrator changes who works where."""
    http, story = world.doors.http, world.story
    facts = {
        "placement_id": new_placement_id(), "case_reference": "CASE-9", "unit_id": story.unit_id,
        "first_language": "Tigrinya", "looked_after_since": "2026-01-01",
        "arrived_at": "2026-01-01T10:00:00+00:00", "placing_authority": "A council",
        "social_worker_reference": "sw-204", "initial_risk_level": "high", "ukvi_relevant": True,
    }  # fmt: skip
    await assert_names_only_the_managers_own_units(world, "/placements", facts)
    form = start_form(str(facts["placement_id"]), unit_id=story.unit_id)
    session = await world.doors.session(UNRELATED[R.registered_manager])
    # The web page offers only the manager's own units, and says so of any other; starting
    # there (past the check page) is refused as through the API.
    for path, status in (("/web/start-placement", 422), ("/web/start-placement/confirm", 422)):
        page = await http.post(
            path, data=form | {"csrf_token": session.csrf_token}, headers=session.cookie_header
        )
        assert page.status_code == status, page.text[:300]
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
            answer = await http.post(case.path, json=bodies[case.path], headers=person.bearer)
            assert answer.status_code == 403, (case.label, str(person), answer.text)
