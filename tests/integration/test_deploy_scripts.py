"""The scripts docker-compose.yml runs, run here against the servers from the wheels: the
PostgreSQL init script (on an embedded PostgreSQL of its own: it creates cluster-wide roles)
and the Temporal namespace script (on the dev server, with the `temporal` CLI)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import asyncpg
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.testing import WorkflowEnvironment

from safeside.embedded.postgres import EmbeddedPostgres, _bin_dir
from safeside.embedded.processes import free_port
from safeside.migrate import migrate

ROOT = Path(__file__).resolve().parents[2]
# Quotes and a semicolon: a script that pasted passwords into SQL would break on these.
TEMPORAL_PASSWORD = 'it\'s a "quoted"; password'
SAFESIDE_PASSWORD = "s4feside-'pass'"


async def run_script(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {name: os.environ[name] for name in ("HOME", "PATH") if name in os.environ}
    return await asyncio.to_thread(
        subprocess.run,
        ["sh", str(ROOT / script)],
        env=base | env,
        capture_output=True,
        text=True,
        check=False,
    )


def scram_matches(stored: str, password: str) -> bool:
    """Whether PostgreSQL's SCRAM-SHA-256 verifier ``stored`` is for ``password``."""
    method, rest = stored.split("$", 1)
    iterations_salt, keys = rest.split("$")
    iterations, salt = iterations_salt.split(":")
    stored_key, _ = keys.split(":")
    salted = hashlib.pbkdf2_hmac(
        "sha256", password.encode(), base64.b64decode(salt), int(iterations)
    )
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    return method == "SCRAM-SHA-256" and hashlib.sha256(client_key).digest() == base64.b64decode(
        stored_key
    )


async def test_the_init_script_gives_temporal_and_safeside_each_their_own_databases(
    server_tmp_path: Path,
) -> None:
    server = EmbeddedPostgres(server_tmp_path / "data", port=free_port(), durable=False)
    await server.start()
    try:
        ran = await run_script(
            "deploy/postgres/init-databases.sh",
            PATH=f"{_bin_dir()}:{os.environ['PATH']}",
            PGHOST="127.0.0.1",
            PGPORT=str(server.port),
            POSTGRES_USER="postgres",
            POSTGRES_TEMPORAL_PASSWORD=TEMPORAL_PASSWORD,
            POSTGRES_SAFESIDE_PASSWORD=SAFESIDE_PASSWORD,
        )
        assert ran.returncode == 0, ran.stderr
        admin = await asyncpg.connect(server.url("postgres"))
        try:
            owners = dict(
                await admin.fetch(
                    """SELECT datname, pg_get_userbyid(datdba) FROM pg_database
                        WHERE datname IN ('temporal', 'temporal_visibility', 'safeside')"""
                )
            )
            verifiers = dict(
                await admin.fetch(
                    """SELECT rolname, rolpassword FROM pg_authid
                        WHERE rolname IN ('temporal', 'safeside')"""
                )
            )
            may_connect = {
                (role, database): await admin.fetchval(
                    "SELECT has_database_privilege($1, $2, 'CONNECT')", role, database
                )
                for role in ("temporal", "safeside")
                for database in ("temporal", "safeside")
            }
        finally:
            await admin.close()
        # Safeside's migrations run as its own role, as `safeside db migrate` does in compose.
        applied = await migrate(f"postgresql://safeside@127.0.0.1:{server.port}/safeside")
    finally:
        await server.stop()

    assert owners == {
        "temporal": "temporal",
        "temporal_visibility": "temporal",
        "safeside": "safeside",
    }
    assert scram_matches(verifiers["temporal"], TEMPORAL_PASSWORD)
    assert scram_matches(verifiers["safeside"], SAFESIDE_PASSWORD)
    assert may_connect == {
        ("temporal", "temporal"): True,
        ("temporal", "safeside"): False,
        ("safeside", "temporal"): False,
        ("safeside", "safeside"): True,
    }
    assert applied


async def test_the_namespace_script_creates_the_namespace_then_keeps_its_retention(
    dev_env: WorkflowEnvironment,
) -> None:
    namespace = f"safeside-{uuid.uuid4().hex[:8]}"
    cli = {
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",  # the wheel's `temporal`
        "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "NAMESPACE": namespace,
    }

    async def retention() -> timedelta:
        described = await dev_env.client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=namespace)
        )
        return described.config.workflow_execution_retention_ttl.ToTimedelta()

    created = await run_script("deploy/temporal/create-namespace.sh", **cli, RETENTION="3d")
    assert created.returncode == 0, created.stderr
    assert await retention() == timedelta(days=3)
    updated = await run_script("deploy/temporal/create-namespace.sh", **cli, RETENTION="5d")
    assert updated.returncode == 0, updated.stderr
    assert f"namespace {namespace}: retention 5d" in updated.stdout
    assert await retention() == timedelta(days=5)
