import json
import logging

import pytest
import structlog

from safeside.log import Throttle, configure_logging, get_logger, server_unreachable


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


@pytest.mark.parametrize("log_format", ["console", "json"])
def test_a_logged_traceback_shows_no_frame_s_variables(
    log_format: str, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(log_format, "INFO")

    def store(child_name: str) -> None:
        raise ConnectionRefusedError("the event store did not answer")

    child_name = "-".join(["PLANTED", "Amira", "Haddad"])  # not on any line a traceback shows
    try:
        store(child_name)
    except ConnectionRefusedError:
        logging.getLogger("temporalio.activity").warning("activity failed", exc_info=True)
    err = capsys.readouterr().err
    assert "ConnectionRefusedError: the event store did not answer" in err
    assert "PLANTED" not in err


def test_a_server_that_keeps_failing_is_said_so_once_every_few_seconds_per_server() -> None:
    clock = [0.0]
    throttle = Throttle(every=5.0, clock=lambda: clock[0])
    said = []
    for second in range(12):
        clock[0] = float(second)
        for server in ("PostgreSQL", "PostgreSQL", "Temporal"):
            left_out = throttle.due(server)
            if left_out is not None:
                said.append((second, server, left_out))
    assert said == [
        (0, "PostgreSQL", 0),
        (0, "Temporal", 0),
        (5, "PostgreSQL", 9),
        (5, "Temporal", 4),
        (10, "PostgreSQL", 9),
        (10, "Temporal", 4),
    ]


def test_a_server_unreachable_line_carries_no_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("json", "INFO")
    logger = get_logger("tests")
    try:
        raise ConnectionRefusedError("PostgreSQL is stopped")
    except ConnectionRefusedError as lost:
        server_unreachable(
            logger, "a test's server", "it did not answer", error=type(lost).__name__
        )
    record = _last_json_line(capsys.readouterr().err)
    assert record["event"] == "it did not answer"
    assert record["error"] == "ConnectionRefusedError"
    assert "exception" not in record
