"""PostgreSQL stops while staff are reading. A placement's live state still answers, from its
workflow, to those who work with the child (their standing, session and token as PostgreSQL
last gave them), and to nobody else; lists and sign-in answer 503 saying what to do. Every
read's access-log entry waits in the API's spool and is stored once PostgreSQL is back: in the
order of the reads, each once, also when a drain stopped half way. The outage costs a few log
lines, never a traceback.

PostgreSQL is stopped cleanly (a fast shutdown checkpoints), so its data outlives the stop with
``durable=False`` too: that setting only gives up safety against a crash of the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from pydantic import SecretStr
from temporalio.client import Client

from safeside.db import Pool, create_pool
from safeside.embedded.identity_provider import EmbeddedIdentityProvider
from safeside.embedded.postgres import EmbeddedPostgres
from safeside.log import UNREACHABLE_LINE_EVERY, configure_logging
from safeside.migrate import migrate
from safeside.temporal import data_converter
from starter.api.app import create_app
from starter.services import access_log
from starter.services.connection import Services
from starter.services.permissions import View, may_read
from starter.services.reading import NOT_YOURS
from starter.services.spool import Spool
from tests.support import faults
from tests.support.asgi_browser import browser_on
from tests.support.identity_provider import identity_provider, provider_user, sign_in
from tests.support.organisation import seed_test_organisation
from tests.support.security import bearer, security_settings
from tests.support.sessions import open_session
from tests.support.starter import placement_in_a_unit_of_its_own
from worker import build_worker
from workflows.domain.common import Role
from workflows.domain.policy import Policy

__all__ = ["identity_provider"]

pytestmark = pytest.mark.slow

OUTAGE_SECONDS = 12
# The web page reads these views of the placement, each an entry (no missing episode is open).
PAGE_VIEWS = (View.placement_state, View.placement_deadlines, View.notifications, View.audit_trail)


@dataclass
class Stack:
    postgres: EmbeddedPostgres
    pool: Pool
    app: FastAPI
    http: httpx.AsyncClient
    placement_id: str

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services

    @property
    def spool(self) -> Spool:
        assert self.services.access_spool is not None
        return self.services.access_spool

    def waiting(self) -> list[access_log.LoggedRead]:
        return [access_log.LoggedRead.model_validate_json(d) for _, d in self.spool.oldest(10_000)]

    async def logged_since(self, after: int) -> list[dict[str, Any]]:
        rows = await self.pool.fetch("SELECT * FROM access_log WHERE id > $1 ORDER BY id", after)
        return [dict(row) for row in rows]

    async def last_logged(self) -> int:
        last: int = await self.pool.fetchval("SELECT coalesce(max(id), 0) FROM access_log")
        return last


@contextlib.asynccontextmanager
async def a_stack(
    postgres: EmbeddedPostgres,
    temporal_address: str,
    task_queue: str,
    spool_dir: Path,
    provider: EmbeddedIdentityProvider,
) -> AsyncIterator[Stack]:
    """The API and a worker on ``postgres``, with a placement in a unit of its own where
    staff-01 manages and staff-17 is a key worker, its start stored and its notices sent."""
    url = await postgres.ensure_database("safeside")
    await migrate(url)
    pool = await create_pool(url, max_size=8)
    await seed_test_organisation(pool)
    settings = security_settings(
        temporal_address=temporal_address,
        database_url=url,
        task_queue=task_queue,
        spool_dir=spool_dir,
        oidc_issuer=provider.issuer,
        oidc_staff_claim="staff_ref",
        oidc_client_secret=SecretStr("web-page-secret"),
    )
    client = await Client.connect(temporal_address, data_converter=data_converter(settings))
    services = Services(client=client, pool=pool, settings=settings, policy=Policy())
    app = create_app(services)
    try:
        async with build_worker(client, pool, settings), browser_on(app) as http:
            placement_id, _ = await placement_in_a_unit_of_its_own(services, pool)

            async def told() -> bool:
                outbox = await faults.outbox_by_status(pool, [placement_id])
                return set(outbox) == {"delivered"}

            # Nothing of the worker's is under way when PostgreSQL stops: what the log says
            # during the outage is the API's.
            await faults.eventually(told, 60, "the start's notices being sent")
            yield Stack(postgres, pool, app, http, placement_id)
    finally:
        await pool.close()


@pytest_asyncio.fixture(loop_scope="session")
async def stack(
    own_postgres: EmbeddedPostgres,
    reliability_temporal: str,
    task_queue: str,
    server_tmp_path: Path,
    identity_provider: EmbeddedIdentityProvider,
) -> AsyncIterator[Stack]:
    """``a_stack`` on the test's own PostgreSQL, its spool in the test's own folder."""
    spool_dir = server_tmp_path / "spool"
    async with a_stack(
        own_postgres, reliability_temporal, task_queue, spool_dir, identity_provider
    ) as stack:
        yield stack


@contextlib.contextmanager
def every_log_line() -> Iterator[io.StringIO]:
    """Every log line of every logger at INFO, as JSON, in the returned buffer."""
    configure_logging("json", "INFO")
    captured = io.StringIO()
    for handler in logging.getLogger().handlers:
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(captured)
    try:
        yield captured
    finally:
        configure_logging("console", "WARNING")


def lines_from(captured: io.StringIO, start: int) -> list[dict[str, Any]]:
    lines = captured.getvalue().splitlines()[start:]
    return [json.loads(line) for line in lines if line.startswith("{")]


async def provider_token(provider: EmbeddedIdentityProvider, staff_ref: str, role: str) -> str:
    _, tokens = await sign_in(provider, await provider_user(provider, staff_ref, role))
    return tokens.access_token


async def spool_emptied(stack: Stack) -> None:
    async def stored() -> bool:
        return not stack.spool.holds_entries()

    await faults.eventually(stored, 60, "the spool's entries being stored")


async def test_staff_read_a_placement_through_a_postgresql_outage_and_each_read_is_logged_once(
    stack: Stack, identity_provider: EmbeddedIdentityProvider
) -> None:
    provider = identity_provider
    http, placement_id = stack.http, stack.placement_id
    state_url = f"/placements/{placement_id}"
    page_url = f"/web/placements/{placement_id}"
    # The key worker signs in at the council's provider; the manager is a script's HS256
    # token; kw-other works in another unit; dm-other never called this API before.
    key_worker = {
        "Authorization": f"Bearer {await provider_token(provider, 'staff-17', 'key_worker')}"
    }
    manager = bearer("registered_manager", "staff-01")
    stranger = bearer("key_worker", "kw-other")
    never_seen = bearer("duty_manager", "dm-other")
    session = await open_session(stack.services, "key_worker", "staff-17")
    page = session.cookie_header
    assert (await http.get(state_url, headers=key_worker)).status_code == 200
    assert (await http.get(state_url, headers=manager)).status_code == 200
    assert (await http.get(state_url, headers=stranger)).status_code == 403
    assert (await http.get(page_url, headers=page)).status_code == 200
    before_outage = await stack.last_logged()

    expected: list[tuple[str, str, bool]] = []
    with every_log_line() as log:
        async with access_log.spool_drained(stack.services):
            await stack.postgres.stop()
            loop = asyncio.get_running_loop()
            outage_began = loop.time()

            live = await http.get(state_url, headers=key_worker)
            assert live.status_code == 200, live.text
            assert live.json()["stream_id"] == placement_id
            assert live.json()["status"] == "open"
            expected.append(("staff-17", "placement_state", True))
            deadlines = await http.get(f"{state_url}/deadlines", headers=manager)
            assert deadlines.status_code == 200, deadlines.text
            expected.append(("staff-01", "placement_deadlines", True))

            # Anyone else: refused as before, a made-up child alike; or, with no standing
            # remembered, 503. Never the child's state.
            refused = await http.get(state_url, headers=stranger)
            assert (refused.status_code, refused.json()["detail"]) == (403, NOT_YOURS)
            expected.append(("kw-other", "placement_state", False))
            made_up = await http.get("/placements/PL-NOBODY-0001", headers=key_worker)
            assert (made_up.status_code, made_up.json()["detail"]) == (403, NOT_YOURS)
            expected.append(("staff-17", "placement_state", False))
            unknown = await http.get(state_url, headers=never_seen)
            assert unknown.status_code == 503
            assert placement_id not in unknown.text

            # Lists come from PostgreSQL: 503, saying what still answers.
            listed = await http.get("/placements", headers=key_worker)
            assert listed.status_code == 503
            assert "live state" in listed.json()["detail"]
            listed_page = await http.get("/web/placements", headers=page)
            assert listed_page.status_code == 503
            assert "still shows their live record" in listed_page.text
            # No session opens while PostgreSQL is away.
            signing_in = await http.get("/sign-in/start")
            assert signing_in.status_code == 503

            # The web page, with a session PostgreSQL found open before the outage.
            shown = await http.get(page_url, headers=page)
            assert shown.status_code == 200, shown.text[:500]
            assert 'id="database-down"' in shown.text
            assert "Open deadlines" in shown.text
            expected += [
                ("staff-17", view.value, True)
                for view in PAGE_VIEWS
                if may_read(Role.key_worker, view)
            ]

            # Staff keep reading for the rest of the outage.
            while loop.time() - outage_began < OUTAGE_SECONDS:
                again = await http.get(state_url, headers=key_worker)
                assert again.status_code == 200
                expected.append(("staff-17", "placement_state", True))
                await asyncio.sleep(0.25)

            waiting = stack.waiting()
            assert [(e.subject, e.what, e.allowed) for e in waiting] == expected
            said_during_outage = lines_from(log, 0)
            await stack.postgres.start()
            after_outage = await http.get(state_url, headers=key_worker)
            assert after_outage.status_code == 200
            await spool_emptied(stack)

    logged = await stack.logged_since(before_outage)
    # Every read of the outage, in order, each once, with the time of its read; then the
    # first read after it.
    assert [row["entry_id"] for row in logged[: len(waiting)]] == [e.entry_id for e in waiting]
    assert len(logged) == len(waiting) + 1
    assert len({row["entry_id"] for row in logged}) == len(logged)
    assert [row["read_at"] for row in logged] == sorted(row["read_at"] for row in logged)
    assert logged[-1]["subject"] == "staff-17"

    warnings = [line for line in said_during_outage if line["level"] in {"warning", "error"}]
    assert all("exception" not in line for line in said_during_outage), said_during_outage
    # One line per failing part every few seconds, whoever found it down.
    most = OUTAGE_SECONDS / UNREACHABLE_LINE_EVERY + 2
    assert 1 <= len(warnings) <= most, warnings
    assert {line.get("server") for line in warnings} == {"PostgreSQL"}

    faults.FIGURES["faults injected: PostgreSQL stopped under readers"] += 1
    served = sum(allowed for _, _, allowed in expected)
    faults.FIGURES["reads served from workflows while PostgreSQL was down"] += served
    faults.FIGURES["reads refused while PostgreSQL was down, logged"] += len(expected) - served
    faults.FIGURES["access-log entries spooled and stored once, in order"] += len(waiting)
    faults.FIGURES["log lines during a 12 s outage under reads"] += len(warnings)


async def test_a_drain_stopped_half_way_stores_every_entry_once_and_in_order(stack: Stack) -> None:
    http, state_url = stack.http, f"/placements/{stack.placement_id}"
    manager = bearer("registered_manager", "staff-01")
    assert (await http.get(state_url, headers=manager)).status_code == 200
    before_outage = await stack.last_logged()
    await stack.postgres.stop()
    for _ in range(6):
        assert (await http.get(state_url, headers=manager)).status_code == 200
    await stack.postgres.start()
    waiting = stack.waiting()
    assert len(waiting) == 6
    # A drain stored the first half, then its process stopped before taking them off the
    # spool: they are still waiting, and stored already.
    await access_log.store(stack.pool, *waiting[:3])
    async with access_log.spool_drained(stack.services):
        await spool_emptied(stack)
    logged = await stack.logged_since(before_outage)
    assert [row["entry_id"] for row in logged] == [entry.entry_id for entry in waiting]

    faults.FIGURES["access-log entries stored once after a drain stopped half way"] += 6
