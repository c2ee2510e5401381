"""Calling a workflow's updates and queries from a door's process, for placements and units
alike: a refusal is ActionRefused with the domain's reason; no worker, or no Temporal server,
is ServiceUnavailable saying what to start; an unknown workflow is what the caller says."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any, TypeVar

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
    try:
        result: RecordResult = await handle.execute_update(
            update, command, rpc_timeout=UPDATE_TIMEOUT
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
        return await handle.query(query_method, rpc_timeout=QUERY_TIMEOUT)
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            raise await not_found() from None
        raise unreachable(client, stream, error) from error
    except WorkflowQueryFailedError:
        # Its workflow task fails (a bug, a bad deploy): the worker cannot answer for it.
        raise ServiceUnavailable(
            f"the {stream}'s workflow is not running (its task keeps failing): tell the "
            'service desk (docs/operations.md, "A placement shown as not running")'
        ) from None


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
