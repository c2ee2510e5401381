"""Database commands that need more than a migration: rebuilding the projections."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg

from activities.projections import rebuild_projections
from safeside.db import create_pool
from safeside.errors import SafesideError
from safeside.policy_file import load_policy
from safeside.settings import Settings


class RebuildFailed(SafesideError):
    pass


async def rebuild_projections_at(
    settings: Settings, *, report_every: int, say: Callable[[str], None]
) -> int:
    """Rebuild the projections of the settings' database; return how many placements."""
    policy = load_policy(settings)
    pool = await create_pool(settings.database_dsn, max_size=1)
    try:
        return await rebuild_projections(
            pool,
            policy,
            progress=lambda done, total: say(f"{done}/{total} placements"),
            report_every=report_every,
        )
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise RebuildFailed(
            f"the projections were not rebuilt and are unchanged ({type(exc).__name__}): "
            "is the database migrated (`safeside db migrate`)?"
        ) from exc
    finally:
        await pool.close()
