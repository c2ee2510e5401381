"""Schema migrations: ordered SQL files applied once each, every file in its own transaction.

Re-running is a no-op; a failed file rolls back whole and stops the run; an applied file that
has since been edited is refused (write a new migration instead).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from typing import Any

import asyncpg

from safeside.errors import SafesideError, ServiceUnavailable
from safeside.log import get_logger

log = get_logger(__name__)

# Any fixed number: concurrent migrators (two workers starting together) take turns.
_ADVISORY_LOCK_KEY = 7_577_000_001


class MigrationError(SafesideError):
    pass


@dataclass(frozen=True)
class Migration:
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def bundled_migrations() -> list[Migration]:
    folder = resources.files("safeside") / "migrations"
    files = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".sql")),
        key=lambda entry: entry.name,
    )
    return [Migration(entry.name, entry.read_text(encoding="utf-8")) for entry in files]


async def apply_migrations(
    conn: asyncpg.Connection[Any], migrations: list[Migration] | None = None
) -> list[str]:
    """Apply what is not yet applied, in name order; return the names applied now."""
    migrations = bundled_migrations() if migrations is None else migrations
    await conn.execute(
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            name       text PRIMARY KEY,
            checksum   text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    await conn.execute("SELECT pg_advisory_lock($1)", _ADVISORY_LOCK_KEY)
    try:
        applied = {
            row["name"]: row["checksum"]
            for row in await conn.fetch("SELECT name, checksum FROM schema_migrations")
        }
        done_now: list[str] = []
        for migration in migrations:
            if migration.name in applied:
                if applied[migration.name] != migration.checksum:
                    raise MigrationError(
                        f"migration {migration.name} was changed after it was applied: "
                        "add a new migration file instead of editing an applied one"
                    )
                continue
            try:
                async with conn.transaction():
                    await conn.execute(migration.sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)",
                        migration.name,
                        migration.checksum,
                    )
            except asyncpg.PostgresError as exc:
                raise MigrationError(
                    f"migration {migration.name} failed and was rolled back: {exc}"
                ) from exc
            log.info("migration applied", migration=migration.name)
            done_now.append(migration.name)
        return done_now
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _ADVISORY_LOCK_KEY)


async def migrate(url: str) -> list[str]:
    try:
        conn = await asyncpg.connect(url)
    except (OSError, asyncpg.PostgresError) as exc:
        raise ServiceUnavailable(
            f"cannot reach PostgreSQL to migrate ({type(exc).__name__}): check "
            "SAFESIDE_DATABASE_URL or start the stack with `make run`"
        ) from exc
    try:
        return await apply_migrations(conn)
    finally:
        await conn.close()
