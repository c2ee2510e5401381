"""A whole story through the API and the worker, every log line of every logger captured at
INFO: no name, address, phone number, language, unit or date of birth reaches a log line; nor
does a date of birth reach an error, when it is refused or exported."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from safeside.db import Pool
from safeside.log import configure_logging
from tests.integration.security.scenario import (
    DATE_OF_BIRTH,
    DATE_OF_BIRTH_UK,
    MARKERS,
    play_story,
    start_facts,
)
from tests.support.placements import new_placement_id
from tests.support.starter import eventually

pytestmark = pytest.mark.usefixtures("worker")


@pytest.fixture
def every_log_line() -> Iterator[io.StringIO]:
    configure_logging("json", "INFO")
    captured = io.StringIO()
    root = logging.getLogger()
    for handler in root.handlers:
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(captured)
    quiet = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    for name in quiet:
        logging.getLogger(name).setLevel(logging.NOTSET)  # every logger, down to INFO
    yield captured
    for name, level in quiet.items():
        logging.getLogger(name).setLevel(level)
    configure_logging("console", "WARNING")


async def test_no_marker_value_reaches_any_log_line(
    api: httpx.AsyncClient, pool: Pool, every_log_line: io.StringIO
) -> None:
    placement_id = await play_story(api)
    for route in ("", "/handover", "/audit", "/deadlines"):
        assert (await api.get(f"/placements/{placement_id}{route}")).status_code == 200

    async def notified() -> bool:
        pending = await pool.fetchval(
            "SELECT count(*) FROM notifications WHERE stream_id = $1 AND status = 'pending'",
            placement_id,
        )
        return bool(pending == 0)

    await eventually(notified, within=60)
    lines = every_log_line.getvalue()
    assert "notification sent" in lines  # the capture sees the worker's lines
    assert placement_id in lines
    for marker in MARKERS:
        assert marker not in lines, f"{marker!r} reached a log line"


async def test_a_date_of_birth_refused_or_exported_reaches_no_log_line_and_no_error(
    api: httpx.AsyncClient, every_log_line: io.StringIO
) -> None:
    await play_story(api)
    # Refused: a date of birth in the future, and one that is not a date.
    for born in ("2099-07-23", "23/07/2011"):
        facts = start_facts(new_placement_id()) | {"date_of_birth": born}
        refused = await api.post("/placements", json=facts)
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == ["date_of_birth"]
        assert born not in refused.text
        assert "07-23" not in refused.text
    # Exported: the SSDA903 return holds it (the positive control), the log does not.
    period = {
        "from": (datetime.now(UTC) - timedelta(days=2)).date().isoformat(),
        "to": "2100-12-31",
    }
    exported = await api.get("/reports/ssda903-missing", params=period)
    assert exported.status_code == 200, exported.text
    assert DATE_OF_BIRTH_UK in exported.text
    lines = every_log_line.getvalue()
    for spelling in (DATE_OF_BIRTH, DATE_OF_BIRTH_UK, "2099-07-23", "23 July 2011"):
        assert spelling not in lines, f"{spelling!r} reached a log line"
