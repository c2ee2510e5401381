"""Need to know (issue 17), over every route of the API and the web page, read from the app's own
route table: every role, as someone who works with the child (related), someone who does not
(unrelated: another unit's staff, a social worker or IRO allocated elsewhere, a role the
directory does not give), and a manager who opened the record by break-glass. Checked: the
status, that nothing of the child reaches whoever may not see it (markers planted in every
free-text and reference field, ``markers``), redaction by each role's allow-list, the
access-log row of every read, and that a refusal says nothing of what exists: a child of another
unit is refused exactly as a child who does not exist.

This module holds the world the tests (``test_need_to_know_*.py``) look at, and what they share;
``world`` reaches them through this folder's conftest. The child, its unit and its story are made
once a test (each test has its own database); each test loops over its part of the matrix and
reports every cell that fails, not just the first.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest_asyncio

from safeside.db import Pool
from starter.api.app import create_app
from starter.services.connection import Services
from tests.integration.security.markers import Story, tell_story
from tests.integration.security.matrix import (
    OTHER_UNIT_STAFF,
    RELATED,
    UNRELATED,
    Doors,
    Kind,
    Person,
    RouteCase,
    route_cases,
)
from tests.support.organisation import given_staff
from tests.support.placements import new_placement_id
from workflows.domain.common import Role

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


async def assert_names_only_the_managers_own_units(
    world: World, route: str, body: dict[str, Any]
) -> None:
    """``route`` names a unit in its ``body``: a Registered Manager may name only a unit they
    belong to (another unit's manager is refused, saying so), and a unit that does not exist
    is a field error."""
    elsewhere, ours = UNRELATED[Role.registered_manager], RELATED[Role.registered_manager]
    refused = await world.doors.http.post(route, json=body, headers=elsewhere.bearer)
    assert refused.status_code == 403, refused.text
    assert "only in a unit you belong to" in refused.json()["detail"]
    made_up = body | {"unit_id": MADE_UP_UNIT}
    unknown = await world.doors.http.post(route, json=made_up, headers=ours.bearer)
    assert unknown.status_code == 422, unknown.text
    assert [e["field"] for e in unknown.json()["errors"]] == ["unit_id"]


def answer_detail(answer: httpx.Response) -> str:
    if answer.headers.get("content-type", "").startswith("application/json"):
        return str(answer.json().get("detail"))
    return answer.text


def access_log_problems(
    world: World,
    case: RouteCase,
    person: Person,
    logged: list[dict[str, Any]],
    label: str,
    *,
    refused: bool,
) -> list[str]:
    """What is wrong with the access-log rows of ``person``'s read of ``case``: none at all,
    another role (or, for a refused read, a row saying it was allowed), another child or unit."""
    ours = [row for row in logged if row["subject"] == person.subject]
    if not ours:
        read = "the refused read" if refused else "the read"
        return [f"{label}: {read} is not in the access log"]
    problems = []
    for row in ours:
        if row["role"] != person.role.value or (refused and row["allowed"]):
            allowed = f", allowed={row['allowed']}" if refused else ""
            problems.append(f"{label}: logged as {row['role']}{allowed}")
        if case.kind is Kind.placement_read and row["placement_id"] != world.story.placement_id:
            problems.append(f"{label}: logged for placement {row['placement_id']}")
        if case.kind is Kind.unit_read and row["unit_id"] != world.story.unit_id:
            problems.append(f"{label}: logged for unit {row['unit_id']}")
    return problems
