"""Whether a process can do its work: the checks behind the readiness endpoints of the API
(``starter/api/health.py``) and of the worker (``safeside/worker_health.py``).

Liveness is only "the process answers", so an outage of PostgreSQL or Temporal never gets
every process restarted; readiness says which server does not answer, in fixed words only.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel
from temporalio.client import Client

from safeside.db import Pool

CHECK_TIMEOUT = timedelta(seconds=3)
Status = Literal["ok", "unavailable"]


class Liveness(BaseModel):
    """The answer of every liveness endpoint: the process answers."""

    status: Literal["ok"] = "ok"


def status(ok: bool) -> Status:
    return "ok" if ok else "unavailable"


async def temporal_answers(client: Client) -> bool:
    try:
        return await client.service_client.check_health(timeout=CHECK_TIMEOUT)
    except Exception:  # any failure to answer is the answer: unavailable
        return False


async def postgres_answers(pool: Pool) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT.total_seconds()):
            return bool(await pool.fetchval("SELECT true"))
    except Exception:  # any failure to answer is the answer: unavailable
        return False


async def servers_answer(client: Client, pool: Pool) -> tuple[bool, bool]:
    """Whether Temporal and PostgreSQL answer, checked at the same time."""
    temporal, postgres = await asyncio.gather(temporal_answers(client), postgres_answers(pool))
    return temporal, postgres
