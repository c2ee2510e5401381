"""Running a command's coroutine and turning what goes wrong into one clear line each, with
the exit status scripts rely on: 2 for bad input, 1 for a refusal or an unreachable server."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Coroutine, Iterator
from typing import Any, NoReturn, TypeVar

import click

from safeside.errors import SafesideError
from starter.cli.command_options import BadInput
from starter.services.lists import BadCursor
from starter.services.workflow_calls import ActionRefused
from workflows.domain.errors import DomainError

T = TypeVar("T")

BAD_INPUT = 2
FAILED = 1


def run(coro: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(coro)
    except BadInput as exc:
        _fail(BAD_INPUT, *exc.problems)
    except BadCursor as exc:
        _fail(BAD_INPUT, f"--after: {exc}")
    except (ActionRefused, DomainError) as exc:
        _fail(FAILED, f"refused: {exc}")
    except SafesideError as exc:
        _fail(FAILED, str(exc))


@contextlib.contextmanager
def fail_on_safeside_error() -> Iterator[None]:
    """For commands with no event loop: an operational error is one line and status 1."""
    try:
        yield
    except SafesideError as exc:
        _fail(FAILED, str(exc))


def _fail(status: int, *lines: str) -> NoReturn:
    for line in lines:
        click.echo(f"safeside: {line}", err=True)
    sys.exit(status)
