"""``safeside db ...``: applying the migrations and rebuilding the projections."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg
import click

from activities.rebuild import rebuild_projections
from safeside.db import create_pool
from safeside.errors import SafesideError
from safeside.migrate import migrate
from safeside.policy_file import load_policy
from safeside.settings import Settings
from starter.cli.running import run


class RebuildFailed(SafesideError):
    pass


@click.group(help="Database administration.")
def db() -> None:
    pass


@db.command("migrate", help="Apply the schema migrations that are not yet applied.")
@click.pass_obj
def db_migrate(settings: Settings) -> None:
    applied = run(migrate(settings.database_dsn))
    names = f": {', '.join(applied)}" if applied else ""
    click.echo(f"applied {len(applied)} migration(s){names}")


@db.command(
    "rebuild-projections",
    help="Rebuild the projections (placements, deadlines, escalations...) from the events alone.",
)
@click.option("--every", default=100, show_default=True, help="Report progress every N placements.")
@click.pass_obj
def db_rebuild_projections(settings: Settings, every: int) -> None:
    count = run(rebuild_projections_at(settings, report_every=every, say=click.echo))
    click.echo(f"rebuilt the projections of {count} placement(s)")


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
