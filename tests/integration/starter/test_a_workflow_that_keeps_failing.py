"""A placement whose workflow task keeps failing after its start was stored (a bad deploy, a
bug a later signal reaches) is never silent: Temporal reports it, Today lists it as not
running to the managers of its unit and to no other unit's, and /metrics counts it, once even
when it also stored nothing. When Temporal does not answer, Today still shows, and says it
could not check."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import httpx
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from temporalio import workflow
from temporalio.common import RawValue
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from activities.registry import build_activities
from safeside.db import Pool
from safeside.ids import placement_workflow_id
from safeside.not_running import NOT_RUNNING_AFTER
from safeside.settings import Settings
from starter.api.app import create_app
from starter.services.connection import Services
from tests.support.servers import start_dev_server
from tests.support.sessions import OpenSession, open_session
from tests.support.starter import StartedPlacement, eventually, trail_length
from worker import build_worker
from workflows.domain.policy import Policy
from workflows.unit import UnitWorkflow


@workflow.defn(dynamic=True)
class PlacementWorkflowOfABadDeploy:
    """The placement workflow of a deploy whose code raises on replay: each of its tasks fails
    (it stands for every workflow type the worker below does not register)."""

    @workflow.run
    async def run(self, args: Sequence[RawValue]) -> None:
        raise RuntimeError("a bug in this deploy")


def bad_deploy(env: WorkflowEnvironment, pool: Pool, settings: Settings) -> Worker:
    """The worker of that deploy: the units' workflows and the activities as they are."""
    return Worker(
        env.client,
        task_queue=settings.task_queue,
        workflows=[UnitWorkflow, PlacementWorkflowOfABadDeploy],
        activities=build_activities(pool, settings),
        workflow_runner=UnsandboxedWorkflowRunner(),
    )


def browser(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://safeside.test"
    )


async def not_running_section(web: httpx.AsyncClient, session: OpenSession) -> str:
    """The "Not running" part of Today as ``session``'s person sees it ("" when there is none)."""
    today = await web.get("/web/today", headers=session.cookie_header)
    assert today.status_code == 200
    parts = today.text.split('id="not-running-heading"', 1)
    return parts[1].split("</section>", 1)[0] if len(parts) == 2 else ""


def row_of(section: str, placement_id: str) -> str:
    return section.split(placement_id, 1)[1].split("</tr>", 1)[0]


async def scraped(web: httpx.AsyncClient) -> dict[str, float]:
    text = (await web.get("/metrics")).text
    return {
        family.name: family.samples[0].value
        for family in text_string_to_metric_families(text)
        if family.samples and not family.samples[0].labels
    }


async def test_a_placement_whose_workflow_starts_failing_later_is_not_running_for_its_managers(
    dev_env: WorkflowEnvironment,
    services: Services,
    pool: Pool,
    web: httpx.AsyncClient,
    started: StartedPlacement,
) -> None:
    before = (await scraped(web))["safeside_placements_not_running"]
    async with build_worker(dev_env.client, pool, services.settings):
        placement_id = await started()

        async def stored() -> bool:
            return await trail_length(pool, placement_id) > 0

        await eventually(stored)
    manager = await open_session(services, "registered_manager", "staff-01")
    assert placement_id not in await not_running_section(web, manager)

    async with bad_deploy(dev_env, pool, services.settings):
        # Anything that gives the workflow a task to run (a signal here) meets the bug.
        await dev_env.client.get_workflow_handle(placement_workflow_id(placement_id)).signal(
            "nudge"
        )

        async def shown() -> bool:
            return placement_id in await not_running_section(web, manager)

        await eventually(shown, within=60)
        row = row_of(await not_running_section(web, manager), placement_id)
        assert "UNIT-7" in row
        assert "its workflow keeps failing" in row
        metrics = await scraped(web)
        assert metrics["safeside_placements_not_running"] == before + 1
        assert metrics["safeside_temporal_up"] == 1

        # A manager of another unit sees nothing of the child. A key worker of this unit may
        # see the child (its leaflet deadline is on Today when it falls due today, as it does
        # for a test run between midnight and one), but is not shown that it is not running.
        other_unit = await open_session(services, "duty_manager", "dm-other")
        today = await web.get("/web/today", headers=other_unit.cookie_header)
        assert today.status_code == 200
        assert placement_id not in today.text
        key_worker = await open_session(services, "key_worker", "staff-17")
        assert placement_id not in await not_running_section(web, key_worker)
        today = await web.get("/web/today", headers=key_worker.cookie_header)
        assert "its workflow keeps failing" not in today.text


async def test_a_placement_that_stored_nothing_and_keeps_failing_counts_once(
    dev_env: WorkflowEnvironment,
    services: Services,
    pool: Pool,
    web: httpx.AsyncClient,
    started: StartedPlacement,
) -> None:
    before = (await scraped(web))["safeside_placements_not_running"]
    async with bad_deploy(dev_env, pool, services.settings):
        placement_id = await started()
        await pool.execute(
            "UPDATE placement_homes SET placed_at = now() - $2::interval WHERE placement_id = $1",
            placement_id,
            NOT_RUNNING_AFTER + timedelta(minutes=1),
        )
        manager = await open_session(services, "registered_manager", "staff-01")

        async def reported_failing() -> bool:
            section = await not_running_section(web, manager)
            return placement_id in section and "its workflow keeps failing" in row_of(
                section, placement_id
            )

        await eventually(reported_failing, within=60)
        assert (await not_running_section(web, manager)).count(placement_id) == 1
        assert (await scraped(web))["safeside_placements_not_running"] == before + 1
    assert await trail_length(pool, placement_id) == 0


async def test_today_says_it_cannot_check_and_metrics_leave_the_figure_out_when_temporal_is_gone(
    services: Services, pool: Pool
) -> None:
    gone = await start_dev_server()
    app = create_app(Services(gone.client, pool, services.settings, Policy()))
    await gone.shutdown()
    manager = await open_session(services, "registered_manager", "staff-01")
    async with browser(app) as web:
        section = await not_running_section(web, manager)
        metrics = await scraped(web)
    assert "cannot check now" in section
    assert metrics["safeside_temporal_up"] == 0
    assert metrics["safeside_database_up"] == 1
    assert "safeside_placements_not_running" not in metrics
