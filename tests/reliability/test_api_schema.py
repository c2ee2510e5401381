"""The running API against its own OpenAPI document, with schemathesis: for every operation,
requests that fit the document and requests that do not, each answer checked by every
schemathesis check (no 5xx, a status the document lists, a body of the documented shape and
content type, wrong input refused, right input accepted, ...).

The requests go over a real socket to uvicorn serving the app (some checks send follow-up
requests of their own), with a registered manager's token; half of them aim at the open
placement, so they get past the 404 to the route's own checks."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
import pytest_asyncio
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.failures import FailureGroup

from tests.reliability.api_under_test import CALLER, Api
from tests.support.faults import FIGURES, eventually

# Per operation, mode and target: 2 modes x 2 targets x ~60 operations.
EXAMPLES_PER_OPERATION = 6
# A refusal of a well-formed request by the domain (409) or by a rule across fields that the
# document cannot say (422, e.g. a start whose arrival is before looked-after) is right, not
# a schema gap; schemathesis counts it as one unless told.
ACCEPTED_AS_POSITIVE = ["2xx", "401", "403", "404", "409", "422"]


@dataclass
class Findings:
    requests: int = 0
    server_errors: int = 0
    failures: dict[str, str] = field(default_factory=dict)


@pytest_asyncio.fixture(loop_scope="session")
async def live_url(api: Api) -> AsyncIterator[str]:
    """The API served by uvicorn on a loopback port, on the test's event loop."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(
        uvicorn.Config(api.app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
    )
    serving = asyncio.create_task(server.serve(sockets=[sock]))

    async def started() -> bool:
        return bool(server.started)

    await eventually(started, 10, "uvicorn serving the API")
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    await serving


def _check_everything(api: Api, base_url: str) -> Findings:
    config = schemathesis.Config.from_dict(
        {
            "checks": {
                "positive_data_acceptance": {"expected-statuses": ACCEPTED_AS_POSITIVE},
                # Answers take milliseconds here; a slow answer is the load test's concern.
                "max_response_time": 30,
            }
        }
    )
    schema = schemathesis.openapi.from_dict(api.app.openapi(), config=config)
    load_all_checks()
    checks = list(CHECKS.get_all())
    findings = Findings()
    # Not the unit's id: its workflow on the session's Temporal server may belong to an
    # earlier test's task queue, whose worker is gone, and a unit update then waits for it.
    ours = {"placement_id": api.placement_id}
    for result in schema.get_all_operations():
        operation = result.ok()
        pinned = {name: value for name, value in ours.items() if f"{{{name}}}" in operation.path}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for path_parameters in ({}, pinned) if pinned else ({},):
                strategy = operation.as_strategy(mode, path_parameters=path_parameters)
                _run(operation.label, strategy, base_url, checks, findings)
    return findings


def _run(
    label: str,
    strategy: st.SearchStrategy[schemathesis.Case],
    base_url: str,
    checks: list[schemathesis.CheckFunction],
    findings: Findings,
) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        # The same requests on every run, so `make test` (and CI) answers the same way twice;
        # SAFESIDE_FUZZ_EXPLORE=1 draws new ones, to look for new faults.
        derandomize=not os.environ.get("SAFESIDE_FUZZ_EXPLORE"),
        suppress_health_check=list(HealthCheck),
        phases=["explicit", "generate"],  # no shrinking: every finding is listed instead
    )
    @given(case=strategy)
    def exchange(case: schemathesis.Case) -> None:
        response = case.call(base_url=base_url, headers=CALLER, timeout=60)
        findings.requests += 1
        findings.server_errors += response.status_code >= 500
        try:
            case.validate_response(
                response, checks=checks, headers=CALLER, transport_kwargs={"base_url": base_url}
            )
        except FailureGroup as group:
            for failure in group.exceptions:
                found = f"{label}: {type(failure).__name__}: {str(failure)[:400]}"
                findings.failures.setdefault(found, case.as_curl_command())

    # A route with no parameters and no token to leave out has no wrong request to send.
    with contextlib.suppress(Unsatisfiable):
        exchange()


@pytest.mark.slow
async def test_every_answer_of_the_api_is_one_its_openapi_document_describes(
    api: Api, live_url: str
) -> None:
    findings = await asyncio.to_thread(_check_everything, api, live_url)
    FIGURES["schemathesis requests sent"] += findings.requests
    FIGURES["schemathesis requests answered 5xx"] += findings.server_errors
    assert findings.server_errors == 0
    assert not findings.failures, "\n\n".join(
        f"{failure}\n  {curl[:300]}" for failure, curl in findings.failures.items()
    )
