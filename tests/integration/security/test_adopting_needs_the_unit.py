"""Adopting names a unit in its body, like a start: only a Registered Manager adopts, and only
into a unit they belong to; through an import file a row naming another unit is refused at its
unit and nothing of it starts, and the answer never repeats what the row said."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.integration.security.matrix import RELATED, UNRELATED
from tests.integration.security.need_to_know_world import (
    World,
    assert_names_only_the_managers_own_units,
)
from tests.support.adoptions import adoption_fields, csv_file
from tests.support.placements import new_placement_id
from workflows.domain.common import Role as R

pytestmark = pytest.mark.usefixtures("worker")


async def test_an_adoption_names_units_only_for_those_who_may(world: World) -> None:
    http, unit_id = world.doors.http, world.story.unit_id
    fields = adoption_fields(new_placement_id(), datetime.now(UTC), unit_id=unit_id)

    await assert_names_only_the_managers_own_units(world, "/placements/adoptions", fields)
    for person in RELATED.values():
        if person.role is not R.registered_manager:
            answer = await http.post("/placements/adoptions", json=fields, headers=person.bearer)
            assert answer.status_code == 403, (str(person), answer.text)

    elsewhere = UNRELATED[R.registered_manager]
    imported = await http.post(
        "/placements/imports",
        content=csv_file([fields | {"case_reference": "CASE-SECRET-77"}]),
        headers=elsewhere.bearer | {"content-type": "text/csv"},
    )
    assert imported.status_code == 200, imported.text
    report = imported.json()
    assert report["started"] == []
    assert [[e["field"] for e in row["errors"]] for row in report["refused"]] == [["unit_id"]]
    assert "CASE-SECRET-77" not in imported.text
