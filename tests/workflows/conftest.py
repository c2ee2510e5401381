"""The workflow a test drives, started on the test's own time-skipping server with in-memory
activities, and stopped (its work settled) when the test ends."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from tests.support.running import Running, running_placement
from tests.support.units import RunningUnit, running_unit


@pytest_asyncio.fixture(loop_scope="session")
async def placement(
    time_skipping_env: WorkflowEnvironment, task_queue: str
) -> AsyncIterator[Running]:
    """A placement that arrived five minutes ago, with the default policy."""
    async with running_placement(time_skipping_env, task_queue) as running:
        yield running


@pytest_asyncio.fixture(loop_scope="session")
async def unit(
    time_skipping_env: WorkflowEnvironment, task_queue: str
) -> AsyncIterator[RunningUnit]:
    """A unit with no resident yet, with the default policy and history bound."""
    async with running_unit(time_skipping_env, task_queue) as running:
        yield running
