"""Lists across placements from the projections: filters and keyset paging, on 10,000 rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from safeside.db import Pool

NOW = datetime.now(UTC)


async def insert_placements(pool: Pool, count: int) -> None:
    """Projection rows written directly: every 10th in UNIT-B, every 100th missing, every
    7th with an overdue leaflet; each has an in-time visit deadline."""
    placements = [
        (
            f"PL-{i:06d}",
            "UNIT-B" if i % 10 == 0 else "UNIT-A",
            i % 100 == 0,
            NOW - timedelta(hours=1),
        )
        for i in range(count)
    ]
    async with pool.acquire() as con, con.transaction():
        await con.executemany(
            """INSERT INTO placements (stream_id, unit_id, status, risk_level, missing,
                                       next_deadline_at, version, updated_at)
               VALUES ($1, $2, 'open', 'high', $3, NULL, 2, $4)""",
            placements,
        )
        deadlines = [(f"PL-{i:06d}", "sw_visit:1", NOW + timedelta(days=7)) for i in range(count)]
        deadlines += [
            (f"PL-{i:06d}", "leaflet", NOW - timedelta(hours=i % 5 + 1)) for i in range(0, count, 7)
        ]
        await con.executemany(
            """INSERT INTO open_deadlines (stream_id, deadline_id, kind, requirement, due_at,
                                           responsible_role)
               VALUES ($1, $2, split_part($2, ':', 1), 'R1', $3, 'key_worker')""",
            deadlines,
        )


async def page_through(
    api: httpx.AsyncClient, path: str, **params: object
) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    after = None
    while True:
        query = params | ({"after": after} if after else {})
        page = (await api.get(path, params=query)).json()
        items += page["items"]
        after = page["next_after"]
        if after is None:
            return items


async def test_ten_thousand_placements_page_through_once_each_in_id_order(
    api: httpx.AsyncClient, pool: Pool
) -> None:
    await insert_placements(pool, 10_000)
    items = await page_through(api, "/placements", limit=500)
    ids = [item["stream_id"] for item in items]
    assert len(ids) == 10_000
    assert ids == sorted(set(ids))


async def test_the_list_filters_by_unit_missing_and_overdue(
    api: httpx.AsyncClient, pool: Pool
) -> None:
    await insert_placements(pool, 1_000)
    unit_b = await page_through(api, "/placements", unit="UNIT-B", limit=37)
    assert len(unit_b) == 100
    assert {p["unit_id"] for p in unit_b} == {"UNIT-B"}
    missing = await page_through(api, "/placements", missing="true")
    assert [p["stream_id"] for p in missing] == [f"PL-{i:06d}" for i in range(0, 1_000, 100)]
    overdue = await page_through(api, "/placements", overdue="true", unit="UNIT-A", limit=50)
    assert {p["stream_id"] for p in overdue} == {
        f"PL-{i:06d}" for i in range(0, 1_000, 7) if i % 10
    }
    assert all(p["overdue_count"] == 1 for p in overdue)


async def test_deadlines_across_placements_page_soonest_first_and_split_due_from_overdue(
    api: httpx.AsyncClient, pool: Pool
) -> None:
    await insert_placements(pool, 700)
    overdue = await page_through(api, "/deadlines", status="overdue", limit=30)
    assert len(overdue) == 100
    assert all(d["overdue"] for d in overdue)
    assert [d["due_at"] for d in overdue] == sorted(d["due_at"] for d in overdue)
    due = await page_through(api, "/deadlines", status="due", limit=250)
    assert len(due) == 700
    assert not any(d["overdue"] for d in due)
    everything = await page_through(api, "/deadlines", limit=333)
    assert len(everything) == 800


async def test_a_cursor_the_api_never_gave_is_422(api: httpx.AsyncClient) -> None:
    answer = await api.get("/deadlines", params={"after": "not-a-cursor"})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "after"


async def test_a_bad_filter_is_422_per_field(api: httpx.AsyncClient) -> None:
    answer = await api.get("/deadlines", params={"status": "soon", "limit": 0})
    assert answer.status_code == 422
    assert sorted(p["field"] for p in answer.json()["errors"]) == ["limit", "status"]
