import asyncpg
import pytest

from safeside.migrate import Migration, MigrationError, apply_migrations, bundled_migrations
from tests.support.servers import create_database, drop_database, with_database


async def test_migrating_twice_applies_nothing_the_second_time(postgres_url: str) -> None:
    name = await create_database(postgres_url)
    conn = await asyncpg.connect(with_database(postgres_url, name))
    try:
        first = await apply_migrations(conn)
        second = await apply_migrations(conn)
    finally:
        await conn.close()
        await drop_database(postgres_url, name)
    assert first == [m.name for m in bundled_migrations()]
    assert second == []


async def test_a_failing_migration_rolls_back_whole(database_url: str) -> None:
    broken = Migration(
        "9999_broken.sql",
        "CREATE TABLE half_done (id int); INSERT INTO no_such_table VALUES (1);",
    )
    conn = await asyncpg.connect(database_url)
    try:
        with pytest.raises(MigrationError, match=r"9999_broken\.sql failed and was rolled back"):
            await apply_migrations(conn, [*bundled_migrations(), broken])
        assert await conn.fetchval("SELECT to_regclass('half_done')") is None
        recorded = await conn.fetchval(
            "SELECT count(*) FROM schema_migrations WHERE name = $1", broken.name
        )
        assert recorded == 0
    finally:
        await conn.close()


async def test_an_edited_applied_migration_is_refused(database_url: str) -> None:
    first = bundled_migrations()[0]
    edited = Migration(first.name, first.sql + "\n-- edited")
    conn = await asyncpg.connect(database_url)
    try:
        with pytest.raises(MigrationError, match="changed after it was applied"):
            await apply_migrations(conn, [edited])
    finally:
        await conn.close()


@pytest.mark.parametrize(
    "statement",
    ["UPDATE events SET actor_ref = 'someone-else'", "DELETE FROM events", "TRUNCATE events"],
)
async def test_the_database_refuses_to_change_the_audit_trail(
    database_url: str, statement: str
) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            """INSERT INTO events (stream_id, version, event_type, schema_version, occurred_at,
                                   actor_role, actor_ref, payload)
               VALUES ('PL-1', 1, 'placement_started', 1, now(), 'registered_manager',
                       'staff-1', '{}'::jsonb)"""
        )
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute(statement)
        assert await conn.fetchval("SELECT count(*) FROM events") == 1
    finally:
        await conn.close()
