"""Safeside's own metrics for Prometheus, read from the PostgreSQL projections at each scrape,
and, for the placements not running, from Temporal's visibility too (``safeside.not_running``).

Nothing is counted in memory: every process that serves ``/metrics`` (the API, a worker) reads
the same tables and asks the same Temporal namespace, so replicas agree and a restart loses
nothing. Aggregate across processes with ``max`` (never ``sum``): each one reports the whole
deployment. A figure that could not be read is left out of that scrape, never reported from an
older one or from half its sources: ``safeside_database_up`` and ``safeside_temporal_up`` say
which source did not answer.

Labels carry enum values only: a deadline kind, a role, an escalation step's name from the
policy, a missing-episode kind, a risk level. Never a placement id, a unit id, a name or a
place; a value outside the known set is reported as ``other``.
"""

from __future__ import annotations

import asyncio
import hmac
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import asyncpg
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from temporalio.client import Client

from safeside import not_running
from safeside.db import Pool
from safeside.settings import Settings
from workflows.domain.common import DeadlineKind, RiskLevel, Role
from workflows.domain.policy import Clocks

# How long one scrape may wait for PostgreSQL (a projection rebuild locks the tables).
READ_TIMEOUT_SECONDS = 5.0
OTHER = "other"

DEADLINE_KINDS = frozenset(kind.value for kind in DeadlineKind)
ROLES = frozenset(role.value for role in Role)
RISK_LEVELS = frozenset({*(level.value for level in RiskLevel), "unknown"})
MISSING_KINDS = frozenset({"missing", "away"})  # SSDA903 codes M and A
# Step names come from the policy (reminder, duty_manager…): words, never free text.
_STEP_NAME = re.compile(r"[a-z][a-z0-9_]{0,47}")
# A watch (a missing episode's clock, R5) is not a deadline: it is "due" from the report until
# the child returns, and safeside_missing_episodes_open counts it instead.
WATCH_KINDS = frozenset(kind.value for kind in DeadlineKind if not Clocks().for_kind(kind).expires)


def known(value: object, allowed: frozenset[str]) -> str:
    text = "unknown" if value is None else str(value)
    return text if text in allowed else OTHER


def step_label(value: object) -> str:
    text = str(value)
    return text if _STEP_NAME.fullmatch(text) else OTHER


def metrics_token_accepts(settings: Settings, authorization: str | None) -> bool:
    """True when no metrics token is configured, or the request carries it as a bearer."""
    if settings.metrics_token is None:
        return True
    expected = f"Bearer {settings.metrics_token.get_secret_value()}"
    return authorization is not None and hmac.compare_digest(
        authorization.encode(), expected.encode()
    )


async def render_metrics(pool: Pool, client: Client) -> bytes:
    """The Prometheus text exposition: this process's own metrics (CPU, memory, garbage
    collection) and Safeside's figures as they are in PostgreSQL (and Temporal) now."""
    families = await read_safeside_metrics(pool, client)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(families))
    return generate_latest(REGISTRY) + generate_latest(registry)


class _Snapshot(Collector):
    def __init__(self, families: list[Metric]) -> None:
        self._families = families

    def collect(self) -> Iterator[Metric]:
        return iter(self._families)


async def read_safeside_metrics(pool: Pool, client: Client) -> list[Metric]:
    """Every Safeside figure, read in one snapshot; only the ``_up`` gauges when PostgreSQL
    does not answer in time, and no ``safeside_placements_not_running`` when Temporal does not
    (ASK_TEMPORAL_WITHIN, then READ_TIMEOUT_SECONDS: one scrape takes 10 s at most)."""
    # Asked first and apart: a transaction is never held open across a call to Temporal.
    failing = await not_running.reported_failing(client)
    temporal_up = GaugeMetricFamily(
        "safeside_temporal_up",
        "1 when this scrape asked Temporal which placements' workflows keep failing their "
        "task; 0 when it did not answer (safeside_placements_not_running is then missing).",
    )
    temporal_up.add_metric([], 0 if failing is None else 1)
    up = GaugeMetricFamily(
        "safeside_database_up",
        "1 when this scrape read the figures from PostgreSQL; 0 when it could not (they are "
        "then missing from this scrape).",
    )
    try:
        async with asyncio.timeout(READ_TIMEOUT_SECONDS):
            rows = await _read(pool, failing)
    except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
        up.add_metric([], 0)
        return [up, temporal_up]
    up.add_metric([], 1)
    return [up, temporal_up, *_families(rows)]


_QUERIES = {
    "escalations": """
        SELECT kind, step_name, notify_role, count(*) AS n
          FROM escalations GROUP BY kind, step_name, notify_role""",
    "deadlines": """
        SELECT d.kind, count(*) AS open, count(*) FILTER (WHERE d.due_at < now()) AS overdue
          FROM open_deadlines d JOIN placements p USING (stream_id)
         WHERE p.status = 'open' GROUP BY d.kind""",
    "missing": """
        SELECT m.kind, count(*) AS n
          FROM missing_episodes m JOIN placements p USING (stream_id)
         WHERE m.ended_at IS NULL AND p.status = 'open' GROUP BY m.kind""",
    "notifications": """
        SELECT recipient, status, count(*) AS n,
               extract(epoch FROM now() - min(created_at)) AS oldest_seconds
          FROM notifications WHERE status <> 'delivered' GROUP BY recipient, status""",
    "placements": """
        SELECT risk_level, count(*) AS n FROM placements WHERE status = 'open'
         GROUP BY risk_level""",
    "unit_checks": """
        SELECT count(*) AS n FROM units WHERE next_check_due_at < now()""",
}
# Stored nothing, or reported failing by Temporal ($1): each placement once.
_NOT_RUNNING = f"""
        SELECT count(*) AS n FROM placement_homes h WHERE {not_running.condition("h", "$1")}"""

Rows = Mapping[str, list[Mapping[str, Any]]]


async def _read(pool: Pool, failing: frozenset[str] | None) -> Rows:
    # One read-only transaction, so every figure describes the same moment.
    async with pool.acquire() as con, con.transaction(isolation="repeatable_read", readonly=True):
        await con.execute(f"SET LOCAL statement_timeout = {int(READ_TIMEOUT_SECONDS * 1000)}")
        queries: dict[str, tuple[str, list[object]]] = {
            name: (sql, []) for name, sql in _QUERIES.items()
        }
        if failing is not None:
            queries["not_running"] = (_NOT_RUNNING, [sorted(failing)])
        return {
            name: [dict(row) for row in await con.fetch(sql, *args)]
            for name, (sql, args) in queries.items()
        }


def _zeros(allowed: Iterable[str]) -> Counter[tuple[str, ...]]:
    return Counter({(value,): 0 for value in sorted(allowed)})


def _families(rows: Rows) -> list[Metric]:
    families = [
        _escalations(rows["escalations"]),
        *_deadlines(rows["deadlines"]),
        _gauge(
            "safeside_missing_episodes_open",
            "Children of open placements missing (whereabouts unknown) or away without "
            "authorisation now.",
            "kind",
            _counted(rows["missing"], "kind", MISSING_KINDS),
        ),
        *_notifications(rows["notifications"]),
        _gauge(
            "safeside_placements_open",
            "Open placements, by risk level.",
            "risk_level",
            _counted(rows["placements"], "risk_level", RISK_LEVELS),
        ),
        _figure(
            "safeside_unit_checks_overdue",
            "Units whose whereabouts check (R4) is past its due time now.",
            rows["unit_checks"],
        ),
    ]
    if "not_running" in rows:
        families.append(
            _figure(
                "safeside_placements_not_running",
                "Placements whose workflow is not running: started minutes ago or more and "
                "stored nothing, or its task keeps failing (docs/operations.md).",
                rows["not_running"],
            )
        )
    return families


def _escalations(rows: list[Mapping[str, Any]]) -> Metric:
    family = CounterMetricFamily(
        "safeside_escalations_raised",
        "Escalations raised by the deadline clocks since the start, by deadline kind, "
        "escalation step and the role told.",
        labels=["kind", "step", "role"],
    )
    raised: Counter[tuple[str, ...]] = Counter()
    for row in rows:
        key = (
            known(row["kind"], DEADLINE_KINDS),
            step_label(row["step_name"]),
            known(row["notify_role"], ROLES),
        )
        raised[key] += row["n"]
    _add(family, raised)
    return family


def _deadlines(rows: list[Mapping[str, Any]]) -> list[Metric]:
    kinds = DEADLINE_KINDS - WATCH_KINDS
    overdue, running = _zeros(kinds), _zeros(kinds)
    for row in rows:
        if row["kind"] in WATCH_KINDS:
            continue
        key = (known(row["kind"], DEADLINE_KINDS),)
        overdue[key] += row["overdue"]
        running[key] += row["open"]
    return [
        _gauge(
            "safeside_deadlines_overdue",
            "Deadlines of open placements past their due time now, by kind.",
            "kind",
            overdue,
        ),
        _gauge(
            "safeside_deadlines_open",
            "Deadlines of open placements still running (due or overdue), by kind.",
            "kind",
            running,
        ),
    ]


def _notifications(rows: list[Mapping[str, Any]]) -> list[Metric]:
    failed, pending = _zeros(ROLES), _zeros(ROLES)
    oldest_pending = 0.0
    for row in rows:
        key = (known(row["recipient"], ROLES),)
        if row["status"] == "failed":
            failed[key] += row["n"]
        elif row["status"] == "pending":
            pending[key] += row["n"]
            oldest_pending = max(oldest_pending, float(row["oldest_seconds"]))
    oldest = GaugeMetricFamily(
        "safeside_notifications_oldest_pending_seconds",
        "Age of the oldest notification not yet delivered (0 when none waits).",
    )
    oldest.add_metric([], oldest_pending)
    return [
        _gauge(
            "safeside_notifications_failed",
            "Notifications given up on after every retry (failed in the outbox), by recipient "
            "role.",
            "role",
            failed,
        ),
        _gauge(
            "safeside_notifications_pending",
            "Notifications in the outbox not yet delivered, by recipient role.",
            "role",
            pending,
        ),
        oldest,
    ]


def _counted(
    rows: list[Mapping[str, Any]], column: str, allowed: frozenset[str]
) -> Counter[tuple[str, ...]]:
    """The rows' ``n`` added up by ``column`` (a value not ``allowed`` counted as ``other``)."""
    counts = _zeros(allowed)
    for row in rows:
        counts[(known(row[column], allowed),)] += row["n"]
    return counts


def _gauge(name: str, documentation: str, label: str, values: Counter[tuple[str, ...]]) -> Metric:
    family = GaugeMetricFamily(name, documentation, labels=[label])
    _add(family, values)
    return family


def _figure(name: str, documentation: str, rows: list[Mapping[str, Any]]) -> Metric:
    """A gauge of one number: the one row's ``n``."""
    family = GaugeMetricFamily(name, documentation)
    family.add_metric([], rows[0]["n"])
    return family


def _add(family: CounterMetricFamily | GaugeMetricFamily, values: Counter[tuple[str, ...]]) -> None:
    for labels, value in sorted(values.items()):
        family.add_metric(list(labels), value)
