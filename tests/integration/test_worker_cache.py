"""How many workflows a worker keeps in memory between their tasks: 2,000 unless
``SAFESIDE_WORKER_MAX_CACHED_WORKFLOWS`` says otherwise (the SDK's own default, 1,000, is fewer
than the placements and units of a burst in ``bench``: docs/operations.md, "Workflow cache")."""

from __future__ import annotations

import pytest
from asyncpg import Pool
from temporalio.testing import WorkflowEnvironment

from tests.support.security import security_settings
from worker import build_worker


async def test_a_worker_caches_2000_workflows_unless_its_setting_says_otherwise(
    dev_env: WorkflowEnvironment, pool: Pool, task_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with build_worker(dev_env.client, pool, security_settings(task_queue=task_queue)) as w:
        assert w.config()["max_cached_workflows"] == 2000
    monkeypatch.setenv("SAFESIDE_WORKER_MAX_CACHED_WORKFLOWS", "300")
    async with build_worker(dev_env.client, pool, security_settings(task_queue=task_queue)) as w:
        assert w.config()["max_cached_workflows"] == 300
