"""GET /metrics and the API's health endpoints: Safeside's figures come from the projections in
PostgreSQL (events written through the real event store), carry no id in any label, and need
no staff token, only the metrics token when one is set."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from pydantic import SecretStr
from temporalio.testing import WorkflowEnvironment

from activities.channels import ChannelRouter
from activities.event_store import EventStore
from activities.outbox import Outbox
from safeside.contracts.activities import MarkFailedRequest, OutboxMessage
from safeside.db import Pool, create_pool
from safeside.metrics import DEADLINE_KINDS, MISSING_KINDS, RISK_LEVELS, ROLES
from starter.api.app import create_app
from starter.services.connection import Services
from tests.integration.activities.placements import POLICY, Placement, start
from tests.support.placements import report_missing
from tests.support.security import bearer, security_settings
from workflows.domain.common import DeadlineKind, Role
from workflows.domain.deadlines import due
from workflows.domain.events import EscalationRaised

METRICS_TOKEN = "scraper-token-" + "y" * 24


def services(env: WorkflowEnvironment, pool: Pool, **settings: object) -> Services:
    return Services(
        client=env.client, pool=pool, settings=security_settings(**settings), policy=POLICY
    )


def api(services: Services) -> httpx.AsyncClient:
    """The API as Prometheus or a load balancer calls it: no staff token."""
    transport = httpx.ASGITransport(app=create_app(services))
    return httpx.AsyncClient(transport=transport, base_url="http://safeside.test")


def samples(text: str) -> dict[str, list[Sample]]:
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


def by_label(found: list[Sample], *names: str) -> dict[tuple[str, ...], float]:
    return {tuple(s.labels[name] for name in names): s.value for s in found}


async def test_metrics_count_escalations_overdue_deadlines_missing_children_and_failures(
    dev_env: WorkflowEnvironment, pool: Pool
) -> None:
    now = datetime.now(UTC)
    store = EventStore(pool, POLICY)
    # Arrived three days ago and nothing recorded since: the clocks have escalated. (No clock
    # falls due within an hour of now, so the test's `now` and the database's agree.)
    arrived = now - timedelta(days=3, hours=2)
    late = Placement(store)
    await late.record(start(late.stream_id, arrived), at=arrived)
    await late.escalate_and_append(now - timedelta(minutes=1))
    # Arrived an hour ago and went missing since.
    missing = Placement(store)
    await missing.record(
        start(missing.stream_id, now - timedelta(hours=1)), at=now - timedelta(hours=1)
    )
    await missing.record(
        report_missing(now - timedelta(minutes=30)), at=now - timedelta(minutes=20)
    )
    # Arrived now; telling the police of it was given up on.
    failing = Placement(store)
    await failing.record(start(failing.stream_id, now), at=now)
    police_notice = OutboxMessage.key_for(failing.stream_id, 1, Role.police.value)
    await Outbox(pool, ChannelRouter()).mark_failed(
        MarkFailedRequest(idempotency_key=police_notice, reason="the police endpoint refused it")
    )

    async with api(services(dev_env, pool)) as client:
        answer = await client.get("/metrics")

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    found = samples(answer.text)
    assert found["safeside_database_up"][0].value == 1

    raised = Counter(
        (e.kind.value, e.step_name, e.notify_role.value)
        for e in late.events + missing.events
        if isinstance(e, EscalationRaised)
    )
    assert raised[(DeadlineKind.leaflet.value, "duty_manager", Role.duty_manager.value)] == 1
    assert by_label(
        [s for s in found["safeside_escalations_raised"] if s.name.endswith("_total")],
        "kind",
        "step",
        "role",
    ) == {key: float(n) for key, n in raised.items()}

    overdue = Counter(
        d.kind.value
        for p in (late, missing, failing)
        for d in due(p.current, p.events[-1].occurred_at, POLICY)
        if d.due_at < now and d.kind is not DeadlineKind.missing_episode
    )
    assert overdue[DeadlineKind.leaflet.value] == 1
    reported = by_label(found["safeside_deadlines_overdue"], "kind")
    assert {kind: n for (kind,), n in reported.items() if n} == {
        kind: float(n) for kind, n in overdue.items()
    }
    assert by_label(found["safeside_missing_episodes_open"], "kind") == {
        ("missing",): 1.0,
        ("away",): 0.0,
    }

    failed = by_label(found["safeside_notifications_failed"], "role")
    assert {role: n for (role,), n in failed.items() if n} == {Role.police.value: 1.0}
    outbox = await pool.fetch("SELECT recipient FROM notifications WHERE status = 'pending'")
    pending = by_label(found["safeside_notifications_pending"], "role")
    assert {role: n for (role,), n in pending.items() if n} == {
        role: float(n) for role, n in Counter(row["recipient"] for row in outbox).items()
    }
    assert found["safeside_notifications_oldest_pending_seconds"][0].value >= 0
    placements = by_label(found["safeside_placements_open"], "risk_level")
    assert placements[("medium",)] == 3


async def test_metric_labels_carry_enum_values_and_never_an_id(
    dev_env: WorkflowEnvironment, pool: Pool
) -> None:
    now = datetime.now(UTC)
    placement = Placement(EventStore(pool, POLICY))
    await placement.record(
        start(placement.stream_id, now - timedelta(days=2)), at=now - timedelta(days=2)
    )
    await placement.escalate_and_append(now)
    await placement.record(report_missing(now - timedelta(minutes=5)), at=now)

    async with api(services(dev_env, pool)) as client:
        text = (await client.get("/metrics")).text

    for private in (placement.stream_id, "UNIT-7", f"CASE-{placement.stream_id}", "Tigrinya"):
        assert private not in text
    allowed = {
        "kind": DEADLINE_KINDS | MISSING_KINDS,
        "role": ROLES,
        "risk_level": RISK_LEVELS,
        "step": {
            step.name for kind in DeadlineKind for step in POLICY.clocks.for_kind(kind).ladder
        },
    }
    safeside = [f for f in text_string_to_metric_families(text) if f.name.startswith("safeside_")]
    assert len(safeside) == 12
    for family in safeside:
        for sample in family.samples:
            for name, value in sample.labels.items():
                assert value in allowed[name], (family.name, name, value)


async def test_metrics_need_no_staff_token_but_the_metrics_token_once_one_is_set(
    dev_env: WorkflowEnvironment, pool: Pool
) -> None:
    async with api(services(dev_env, pool)) as public:
        assert (await public.get("/metrics")).status_code == 200

    guarded = services(dev_env, pool, metrics_token=SecretStr(METRICS_TOKEN))
    async with api(guarded) as client:
        without = await client.get("/metrics")
        with_staff_token = await client.get("/metrics", headers=bearer("registered_manager"))
        with_metrics_token = await client.get(
            "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
        )
    assert without.status_code == 401
    assert without.headers["www-authenticate"] == "Bearer"
    assert with_staff_token.status_code == 401
    assert with_metrics_token.status_code == 200
    assert "safeside_database_up 1.0" in with_metrics_token.text


async def test_liveness_holds_while_readiness_and_metrics_report_postgres_down(
    dev_env: WorkflowEnvironment, pool: Pool, database_url: str
) -> None:
    async with api(services(dev_env, pool)) as client:
        live = await client.get("/health/live")
        ready = await client.get("/health/ready")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (
        200,
        {"status": "ok", "temporal": "ok", "postgres": "ok"},
    )

    closed = await create_pool(database_url, max_size=1)
    await closed.close()
    async with api(services(dev_env, closed)) as client:
        live = await client.get("/health/live")
        ready = await client.get("/health/ready")
        metrics = await client.get("/metrics")
    assert live.status_code == 200
    assert (ready.status_code, ready.json()["postgres"]) == (503, "unavailable")
    assert metrics.status_code == 200
    found = samples(metrics.text)
    assert found["safeside_database_up"][0].value == 0
    assert "safeside_deadlines_overdue" not in found
