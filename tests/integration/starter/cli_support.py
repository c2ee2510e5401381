"""What the ``safeside`` command-line tests share: the people they sign in as (by
SAFESIDE_TOKEN, in the tests' organisation, ``tests.support.organisation``), a start's flags,
and a new placement's audit trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from click.testing import Result

from safeside.db import Pool
from tests.support.security import token_for
from tests.support.starter import Cli, StartedPlacement, eventually, trail_length


def signed_in(role: str, subject: str) -> dict[str, str | None]:
    return {"SAFESIDE_TOKEN": token_for(role, subject)}


AS_MANAGER = signed_in("registered_manager", "staff-01")
AS_KEY_WORKER = signed_in("key_worker", "staff-17")
AS_OTHER_UNITS_KEY_WORKER = signed_in("key_worker", "kw-other")
AS_ADMINISTRATOR = signed_in("administrator", "admin-01")
AS_AUDITOR = signed_in("auditor", "audit-1")
NOBODY: dict[str, str | None] = {"SAFESIDE_TOKEN": None}


def start_flags(placement_id: str) -> list[str]:
    arrived = datetime.now(UTC) - timedelta(hours=1)
    return [
        "--placement-id", placement_id,
        "--case-reference", f"CASE-{placement_id}",
        "--unit-id", "UNIT-7",
        "--first-language", "Tigrinya",
        "--looked-after-since", arrived.date().isoformat(),
        "--arrived-at", arrived.isoformat(),
        "--placing-authority", "Example Borough Council",
        "--social-worker-reference", "sw-204",
        "--initial-risk-level", "high",
        "--ukvi-relevant", "true",
    ]  # fmt: skip


def ago(minutes: int) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


async def audit_of_a_new_placement(
    safeside: Cli, started: StartedPlacement, pool: Pool, env: dict[str, str | None]
) -> tuple[str, Result]:
    """A placement just started, and its audit trail printed as ``env`` signs in, once the
    start's two events (started, interpreter requested) are stored (a moment after the
    workflow accepts the start)."""
    placement_id = await started()

    async def stored() -> bool:
        return await trail_length(pool, placement_id) >= 2

    await eventually(stored)
    table = await safeside("placement", "audit", placement_id, env=env)
    assert table.exit_code == 0, table.output
    return placement_id, table
