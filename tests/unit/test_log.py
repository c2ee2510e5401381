import json
import logging

import pytest
import structlog

from safeside.log import configure_logging, get_logger


def _last_json_line(err: str) -> dict[str, object]:
    lines = [line for line in err.splitlines() if line.startswith("{")]
    assert lines, err
    record: dict[str, object] = json.loads(lines[-1])
    return record


def test_temporal_log_records_name_the_placement(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json", "INFO")
    logging.getLogger("temporalio.workflow").info(
        "deadline escalated",
        extra={
            "temporal_workflow": {
                "workflow_id": "placement-PL-0001",
                "workflow_type": "PlacementWorkflow",
                "run_id": "r1",
            }
        },
    )
    record = _last_json_line(capsys.readouterr().err)
    assert record["placement_id"] == "PL-0001"
    assert record["workflow_type"] == "PlacementWorkflow"
    assert record["event"] == "deadline escalated"


def test_bound_placement_id_reaches_structlog_lines(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json", "INFO")
    with structlog.contextvars.bound_contextvars(placement_id="PL-0002"):
        get_logger("tests").info("leaflet recorded")
    record = _last_json_line(capsys.readouterr().err)
    assert record["placement_id"] == "PL-0002"
    assert record["level"] == "info"


def test_console_format_is_human_readable(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("console", "INFO")
    logging.getLogger("asyncpg").warning("connection lost")
    err = capsys.readouterr().err
    assert "connection lost" in err
    assert not err.lstrip().startswith("{")
