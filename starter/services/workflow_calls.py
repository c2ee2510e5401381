"""Calling a workflow's updates and queries from a door's process, for placements and units
alike: a refusal is ActionRefused with the domain's reason; no worker, or no Temporal server,
is ServiceUnavailable saying what to start; an unknown workflow is what the caller says.

While a workflow's task is being retried (its worker died mid-task, or the task timed out on a
busy machine) the server refuses its updates and queries as "not ready". That passes within
seconds, so the call is sent again until it does; a workflow still not ready after
NOT_READY_PATIENCE has a task that keeps failing, and the message says so."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any, TypeVar

from temporalio.api.errordetails.v1 import WorkflowNotReadyFailure
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from safeside.contracts.workflows import RecordResult
from safeside.errors import SafesideError, ServiceUnavailable
from workflows.refusal import DOMAIN_ERROR, refused_fields

# Queries and updates need a worker: without one they would wait for ever, so they time out
# with a message saying what to start.
QUERY_TIMEOUT = timedelta(seconds=10)
UPDATE_TIMEOUT = timedelta(seconds=30)
# How long a workflow whose task is being retried is waited for, and the pauses between tries.
NOT_READY_PATIENCE = timedelta(seconds=20)
NOT_READY_PAUSES = (0.2, 0.5, 1.0, 2.0)

T = TypeVar("T")
# What an unknown workflow id means to the caller (PlacementNotFound, UnitNotFound...).
NotFound = Callable[[], Awaitable[SafesideError]]


class ActionRefused(SafesideError):
    """The domain refused a command; the message is its reason, in plain words.

    ``problems``: when the command's own fields were refused, each (field, message), the
    field named as in the command; empty for a refusal of the whole action.
    """

    def __init__(self, reason: str, problems: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(reason)
        self.problems = tuple(problems)


async def execute_update(
    client: Client,
    handle: WorkflowHandle[Any, Any],
    update: Any,
    command: Any,
    *,
    stream: str,
    not_found: NotFound,
) -> RecordResult:
    """Record through the workflow's update: accepted (the new version and the events
    written), or ActionRefused with the domain's reason and nothing written."""
    update_id = str(uuid.uuid4())  # the same id on every try: the server admits it once
    try:
        result: RecordResult = await _when_ready(
            lambda: handle.execute_update(
                update, command, id=update_id, rpc_timeout=UPDATE_TIMEOUT
            ),
            stream,
        )
    except WorkflowUpdateFailedError as failure:
        cause = failure.cause
        if isinstance(cause, ApplicationError) and cause.type == DOMAIN_ERROR:
            raise ActionRefused(cause.message, refused_fields(cause.details)) from None
        raise
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        raise no_worker(client, stream) from None
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            raise await not_found() from None
        raise unreachable(client, stream, error) from error
    return result


async def query(
    client: Client,
    handle: WorkflowHandle[Any, Any],
    query_method: Callable[[Any], T],
    *,
    stream: str,
    not_found: NotFound,
) -> T:
    try:
        return await _when_ready(
            lambda: handle.query(query_method, rpc_timeout=QUERY_TIMEOUT), stream
        )
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            raise await not_found() from None
        raise unreachable(client, stream, error) from error
    except WorkflowQueryFailedError:
        # Its workflow task fails (a bug, a bad deploy): the worker cannot answer for it.
        raise keeps_failing(stream) from None


async def _when_ready(call: Callable[[], Awaitable[T]], stream: str) -> T:
    """``call()``, sent again while the server says the workflow is not ready (its task is
    being retried); ServiceUnavailable if it is still not ready after NOT_READY_PATIENCE."""
    loop = asyncio.get_running_loop()
    give_up_at = loop.time() + NOT_READY_PATIENCE.total_seconds()
    tries = 0
    while True:
        try:
            return await call()
        except RPCError as error:
            if not _not_ready(error):
                raise
            pause = NOT_READY_PAUSES[min(tries, len(NOT_READY_PAUSES) - 1)]
            if loop.time() + pause > give_up_at:
                raise keeps_failing(stream) from None
            tries += 1
            await asyncio.sleep(pause)


def _not_ready(error: RPCError) -> bool:
    return error.status is RPCStatusCode.FAILED_PRECONDITION and any(
        detail.Is(WorkflowNotReadyFailure.DESCRIPTOR) for detail in error.grpc_status.details
    )


def keeps_failing(stream: str) -> ServiceUnavailable:
    return ServiceUnavailable(
        f"the {stream}'s workflow is not running (its task keeps failing): tell the "
        'service desk (docs/operations.md, "A placement shown as not running")'
    )


def unreachable(client: Client, stream: str, error: RPCError) -> ServiceUnavailable:
    if error.status is RPCStatusCode.DEADLINE_EXCEEDED:
        return no_worker(client, stream)
    return ServiceUnavailable(
        f"the Temporal server at {client.service_client.config.target_host} did not answer "
        f"({error.status.name}): start the stack with `make run` or check "
        "SAFESIDE_TEMPORAL_ADDRESS"
    )


def no_worker(client: Client, stream: str) -> ServiceUnavailable:
    return ServiceUnavailable(
        f"no worker answered for the {stream} in time: start the stack with `make run` "
        f"(or `safeside worker`) against {client.service_client.config.target_host}"
    )
