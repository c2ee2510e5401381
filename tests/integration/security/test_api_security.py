"""The API end to end: tokens, the permission table, redaction by role, the access log and the
codec endpoint."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import httpx
import pytest

from safeside.codec import ENCODING
from safeside.db import Pool
from safeside.redact import REDACTED
from tests.integration.security.scenario import (
    ADDRESS,
    CASE,
    UNIT,
    allocate,
    given_marker_unit,
    play_story,
    start_facts,
)
from tests.support.placements import new_placement_id
from tests.support.security import bearer, token_for
from tests.support.starter import StartedPlacement, eventually, trail_length

pytestmark = pytest.mark.usefixtures("worker")

AUDITOR = bearer("auditor", "aud-3")
# Members of UNIT-7 and of the marker unit (tests.support.organisation, scenario); the IRO is
# allocated to each placement it reads (need to know: a role alone opens no child).
KEY_WORKER = bearer("key_worker", "staff-17")
SOCIAL_WORKER = bearer("social_worker", "sw-204")
IRO = bearer("independent_reviewing_officer", "iro-9")
NO_TOKEN = {"Authorization": ""}
NOW = datetime.now(UTC).isoformat()


@pytest.mark.parametrize(
    "headers",
    [NO_TOKEN, {"Authorization": "Bearer not-a-token"},
     {"Authorization": f"Bearer {token_for('registered_manager', hours=-1)}"}],
    ids=["none", "garbage", "expired"],
)  # fmt: skip
async def test_every_route_but_health_needs_a_valid_token(
    api: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    for method, path in [("GET", "/placements"), ("GET", "/placements/PL-0001/audit"),
                         ("GET", "/deadlines"), ("GET", "/access-log"),
                         ("POST", "/codec/decode"), ("POST", "/placements")]:  # fmt: skip
        answer = await api.request(method, path, headers=headers, json={})
        assert answer.status_code == 401, (method, path)
        assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert (await api.get("/health", headers=headers)).status_code == 200


async def test_only_the_registered_manager_starts_a_placement(api: httpx.AsyncClient) -> None:
    await given_marker_unit(api)
    body = start_facts(new_placement_id())
    refused = await api.post("/placements", json=body, headers=KEY_WORKER)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "the role key_worker may not record start_placement"
    assert (await api.post("/placements", json=body)).status_code == 201


async def test_the_actor_is_the_caller_never_the_body(
    api: httpx.AsyncClient, started: StartedPlacement, pool: Pool
) -> None:
    placement_id = await started()
    actions = f"/placements/{placement_id}/actions"
    body = {"category": "mood", "note_reference_or_text": "LOG-12",
            "observed_at": NOW}  # fmt: skip
    forged = body | {"actor": {"role": "registered_manager", "reference": "staff-01"}}
    assert (
        await api.post(f"{actions}/observation", json=forged, headers=KEY_WORKER)
    ).status_code == 422
    recorded = await api.post(f"{actions}/observation", json=body, headers=KEY_WORKER)
    assert recorded.status_code == 200, recorded.text

    async def stored() -> bool:
        return await trail_length(pool, placement_id) >= recorded.json()["version"]

    await eventually(stored)
    trail = (await api.get(f"/placements/{placement_id}/audit")).json()["entries"]
    last = trail[-1]
    assert (last["event_type"], last["actor_role"], last["actor_ref"]) == (
        "observation_recorded", "key_worker", "staff-17",
    )  # fmt: skip


async def test_a_contact_restriction_is_the_registered_manager_s_and_a_phone_the_social_worker_s(
    api: httpx.AsyncClient, started: StartedPlacement
) -> None:
    placement_id = await started()
    actions = f"/placements/{placement_id}/actions"
    restrict = {"kind": "contact", "reason": "risk from uncle",
                "starts_at": NOW}  # fmt: skip
    duty = await api.post(f"{actions}/impose-restriction", json=restrict,
                          headers=bearer("duty_manager"))  # fmt: skip
    assert duty.status_code == 403
    assert "impose_restriction of kind contact" in duty.json()["detail"]
    phone = {"confirmation_reference": "EMAIL-1", "confirmed_at": NOW}
    by_manager = await api.post(f"{actions}/phone-release-confirmed", json=phone)
    assert by_manager.status_code == 403
    by_social_worker = await api.post(
        f"{actions}/phone-release-confirmed", json=phone, headers=SOCIAL_WORKER
    )
    assert by_social_worker.status_code == 200, by_social_worker.text


async def test_the_auditor_reads_the_chronology_without_location_or_identity(
    api: httpx.AsyncClient, pool: Pool
) -> None:
    placement_id = await play_story(api)

    async def stored() -> bool:
        return await trail_length(pool, placement_id) >= 8

    await eventually(stored)
    shown = await api.get(f"/placements/{placement_id}/audit", headers=AUDITOR)
    assert shown.status_code == 200
    text = shown.text
    for hidden in (ADDRESS, CASE, UNIT, "Amina"):
        assert hidden not in text
    started = shown.json()["entries"][0]["details"]
    assert started["unit_id"] == started["case_reference"] == REDACTED
    missing = next(e for e in shown.json()["entries"] if e["event_type"] == "missing_reported")
    assert missing["details"]["last_seen_place_reference"] == REDACTED

    # The social worker who placed the child sees where they were last seen.
    full = (await api.get(f"/placements/{placement_id}/audit", headers=SOCIAL_WORKER)).text
    assert ADDRESS in full
    assert UNIT in full
    # The IRO allocated to the child sees the case but not the unit.
    await allocate(api, placement_id, "independent_reviewing_officer", "iro-9")
    state = (await api.get(f"/placements/{placement_id}", headers=IRO)).json()
    assert (state["facts"]["case_reference"], state["facts"]["unit_id"]) == (CASE, REDACTED)
    handover = await api.get(f"/placements/{placement_id}/handover", headers=AUDITOR)
    assert handover.status_code == 403
    assert handover.json()["detail"] == "the role auditor may not read the handover"
    by_unit = await api.get("/placements", params={"unit": UNIT}, headers=AUDITOR)
    assert by_unit.status_code == 403
    listed = (await api.get("/placements", headers=AUDITOR)).json()["items"]
    assert all(item["unit_id"] in (REDACTED, None) for item in listed)


async def test_every_read_is_in_the_access_log_which_only_the_auditor_lists(
    api: httpx.AsyncClient, started: StartedPlacement, pool: Pool
) -> None:
    placement_id = await started()
    await allocate(api, placement_id, "independent_reviewing_officer", "iro-9")
    await api.get(f"/placements/{placement_id}", headers=KEY_WORKER)
    await api.get(f"/placements/{placement_id}/handover", headers=IRO)
    await api.get(f"/placements/{placement_id}/handover", headers=AUDITOR)  # refused
    await api.get(f"/placements/{placement_id}/deadlines", headers=SOCIAL_WORKER)
    await eventually(lambda: _has_trail(pool, placement_id))
    await api.get(f"/placements/{placement_id}/audit", headers=AUDITOR)

    refused = await api.get("/access-log", headers=KEY_WORKER)
    assert refused.status_code == 403
    page = (await api.get("/access-log", params={"placement": placement_id},
                          headers=AUDITOR)).json()  # fmt: skip
    seen = [(e["subject"], e["role"], e["what"], e["allowed"]) for e in page["items"]]
    assert seen == [
        ("staff-17", "key_worker", "placement_state", True),
        ("iro-9", "independent_reviewing_officer", "handover", True),
        ("aud-3", "auditor", "handover", False),
        ("sw-204", "social_worker", "placement_deadlines", True),
        ("aud-3", "auditor", "audit_trail", True),
    ]
    first = (await api.get("/access-log", params={"placement": placement_id, "limit": 2},
                           headers=AUDITOR)).json()  # fmt: skip
    assert len(first["items"]) == 2
    assert first["next_after"] == first["items"][-1]["id"]


async def _has_trail(pool: Pool, placement_id: str) -> bool:
    return await trail_length(pool, placement_id) >= 1


async def test_the_access_log_is_append_only(pool: Pool) -> None:
    await pool.execute(
        "INSERT INTO access_log (subject, role, what, placement_id, allowed) "
        "VALUES ('s', 'auditor', 'audit_trail', 'PL-1', true)"
    )
    for statement in ("UPDATE access_log SET allowed = false", "DELETE FROM access_log",
                      "TRUNCATE access_log"):  # fmt: skip
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await pool.execute(statement)


async def test_the_codec_endpoint_decodes_for_managers_only(api: httpx.AsyncClient) -> None:
    plain = {"metadata": {"encoding": "anNvbi9wbGFpbg=="}, "data": "IkNBU0UtNDQ3MSI="}
    encoded = await api.post("/codec/encode", json={"payloads": [plain]})
    assert encoded.status_code == 200
    [sealed] = encoded.json()["payloads"]
    assert sealed["metadata"]["encoding"] == "YmluYXJ5L2VuY3J5cHRlZA=="  # binary/encrypted
    assert ENCODING == b"binary/encrypted"
    decoded = await api.post("/codec/decode", json={"payloads": [sealed]})
    assert decoded.json() == {"payloads": [plain]}
    assert (await api.post("/codec/decode", json={"payloads": [sealed]},
                           headers=NO_TOKEN)).status_code == 401  # fmt: skip
    auditor = await api.post("/codec/decode", json={"payloads": [sealed]}, headers=AUDITOR)
    assert auditor.status_code == 403
    assert auditor.json()["detail"] == "the role auditor may not read the codec"
    logged = (await api.get("/access-log", headers=AUDITOR)).json()["items"]
    assert ("staff-01", "codec_decode") in [(e["subject"], e["what"]) for e in logged]


async def test_the_temporal_ui_origin_may_call_the_codec_endpoint_from_a_browser(
    api: httpx.AsyncClient,
) -> None:
    preflight = await api.options(
        "/codec/decode",
        headers={"Origin": "http://127.0.0.1:8233", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization,content-type,x-namespace"},
    )  # fmt: skip
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://127.0.0.1:8233"
    elsewhere = await api.options(
        "/codec/decode",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in elsewhere.headers
