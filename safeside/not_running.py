"""Placements that are not running, found two ways, each a placement once however it is found:

- **Stored nothing**: housed at their start (``placement_homes``) but without a single event in
  the audit trail minutes later. A placement's workflow stores its start within seconds; when
  nothing is stored, its task fails on every attempt (a bug, a start it cannot run with), it
  was refused or failed after its home was recorded, or no worker serves its task queue.
- **Task failing**: the workflow stored its start, but its workflow task now fails or times out
  on every attempt (a bug reached by a later signal, update or timer; a non-determinism after a
  bad deploy). Its clocks stop while the child stays on every list. Temporal marks such a
  running workflow with the system search attribute ``TemporalReportedProblems`` after
  ``REPORTED_PROBLEMS_SETTING`` consecutive failures (5 by default: about a minute with the
  server's retry backoff), and clears it at the first task that succeeds;
  ``reported_failing`` asks for them in one visibility list call.

Today shows these placements to the managers who may read them and ``/metrics`` counts them
(``docs/operations.md``, "A placement shown as not running").
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from enum import StrEnum

from temporalio.client import Client
from temporalio.service import RPCError

from safeside import ids
from safeside.log import get_logger

log = get_logger(__name__)

# Room for a worker restart or a short PostgreSQL outage before a placement is called not
# running: the workflow stores its start as soon as it can.
NOT_RUNNING_AFTER = timedelta(minutes=5)

# The Temporal server's dynamic config: consecutive failed or timed-out workflow tasks before
# it sets TemporalReportedProblems (0 turns the attribute off).
REPORTED_PROBLEMS_SETTING = "system.numConsecutiveWorkflowTaskProblemsToTriggerSearchAttribute"
# The query of the Temporal web UI's "Task Failures" view.
REPORTED_PROBLEMS_QUERY = (
    'ExecutionStatus = "Running" AND TemporalReportedProblems IN '
    '("category=WorkflowTaskFailed", "category=WorkflowTaskTimedOut")'
)
# How long Today or a scrape waits for Temporal's answer before saying it could not check.
ASK_TEMPORAL_WITHIN = timedelta(seconds=5)


class Why(StrEnum):
    """Why a placement is not running, as far as Safeside can tell."""

    stored_nothing = "stored_nothing"
    task_failing = "task_failing"


async def reported_failing(client: Client) -> frozenset[str] | None:
    """The ids of the placements whose workflow Temporal reports as failing its task now; None
    when Temporal did not answer within ``ASK_TEMPORAL_WITHIN`` (the callers say so)."""
    found: set[str] = set()
    try:
        async with asyncio.timeout(ASK_TEMPORAL_WITHIN.total_seconds()):
            async for execution in client.list_workflows(
                REPORTED_PROBLEMS_QUERY, rpc_timeout=ASK_TEMPORAL_WITHIN
            ):
                placement_id = ids.placement_id_of(execution.id)
                if placement_id is not None:
                    found.add(placement_id)
    except (RPCError, TimeoutError) as exc:
        log.warning("temporal did not list the failing workflows", error=type(exc).__name__)
        return None
    return frozenset(found)


def condition(home: str, failing: str | None = None) -> str:
    """A SQL condition true when the ``placement_homes`` row aliased ``home`` is of a placement
    that is not running: it stored nothing, or its id is in ``failing`` (a SQL ``text[]``
    expression holding ``reported_failing``'s ids), when given."""
    seconds = int(NOT_RUNNING_AFTER.total_seconds())
    stored_nothing = (
        f"{home}.placed_at < now() - make_interval(secs => {seconds})"
        f" AND NOT EXISTS (SELECT 1 FROM events ev WHERE ev.stream_id = {home}.placement_id)"
    )
    if failing is None:
        return f"({stored_nothing})"
    return f"(({stored_nothing}) OR {task_failing(home, failing)})"


def task_failing(home: str, failing: str) -> str:
    """A SQL condition true when the placement of ``home`` is among ``failing``'s ids."""
    return f"{home}.placement_id = ANY ({failing}::text[])"
