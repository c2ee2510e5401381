"""Need to know (issue 17) by break-glass: a manager of another unit opens the child for a
reason, every use is logged, told and listed; a role the staff directory does not give opens
nothing. The world and the matrix: ``need_to_know_world``."""

from __future__ import annotations

import pytest

from safeside.db import Pool
from tests.integration.security.matrix import (
    NOT_THEIR_ROLE,
    RELATED,
    UNRELATED,
    Kind,
    access_log_since,
    last_access_id,
)
from tests.integration.security.need_to_know_world import World
from tests.support.starter import eventually
from workflows.domain.common import Role

pytestmark = pytest.mark.usefixtures("worker")

R = Role


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
        listed = await world.doors.http.get("/break-glass", headers=person.bearer)
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
