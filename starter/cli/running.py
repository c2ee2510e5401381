"""Running a command's coroutine and turning what goes wrong into one clear line each, with
the exit status scripts rely on: 2 for bad input, 1 for a refusal (a line per option when the
domain refused the command's own fields), a missing sign-in or an unreachable server."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Coroutine, Iterator, Mapping
from typing import Any, NoReturn, TypeVar

import asyncpg
import click

from safeside.errors import SafesideError
from starter.cli.command_options import BadInput, option_name
from starter.cli.signing_in import NotSignedIn
from starter.services.lists import BadCursor
from starter.services.organisation import OrganisationRefused
from starter.services.permissions import Denied
from starter.services.placements import StartRefused
from starter.services.workflow_calls import ActionRefused
from workflows.domain.errors import DomainError, FieldsRefused

T = TypeVar("T")

BAD_INPUT = 2
FAILED = 1


def run(coro: Coroutine[Any, Any, T], *, names: Mapping[str, str] | None = None) -> T:
    """Run ``coro``; what goes wrong is one line on standard error and the exit status.
    ``names``: how the person gave a field the organisation refuses (``UNIT_ID``), when not
    as its option (``--unit-id``)."""
    try:
        return asyncio.run(coro)
    except BadInput as exc:
        _fail(BAD_INPUT, *exc.problems)
    except BadCursor as exc:
        _fail(BAD_INPUT, f"--after: {exc}")
    except OrganisationRefused as exc:
        _fail(BAD_INPUT, f"{(names or {}).get(exc.field) or option_name(exc.field)}: {exc}")
    except StartRefused as exc:
        _fail(BAD_INPUT, *(f"{option_name(f)}: {m}" for f, m in exc.problems.items()))
    except NotSignedIn as exc:
        _fail(FAILED, str(exc))
    except (ActionRefused, FieldsRefused) as exc:
        if not exc.problems:
            _fail(FAILED, f"refused: {exc}")
        # The domain refused the command's own fields: each at its option, as bad input is.
        named = names or {}
        _fail(FAILED, *(f"{named.get(f) or option_name(f)}: {m}" for f, m in exc.problems))
    except (Denied, DomainError) as exc:
        _fail(FAILED, f"refused: {exc}")
    except SafesideError as exc:
        _fail(FAILED, str(exc))
    except asyncpg.PostgresError as exc:
        # Its message may quote a value from the request, so only its kind is said.
        _fail(
            FAILED,
            f"PostgreSQL refused the command ({type(exc).__name__}): is the database migrated "
            "(`safeside db migrate`)?",
        )


@contextlib.contextmanager
def fail_on_safeside_error() -> Iterator[None]:
    """For commands with no event loop: an operational error is one line and status 1."""
    try:
        yield
    except SafesideError as exc:
        _fail(FAILED, str(exc))


@contextlib.contextmanager
def fail_on_bad_input() -> Iterator[None]:
    """For input checked before anything runs: one line per wrong field and status 2."""
    try:
        yield
    except BadInput as exc:
        _fail(BAD_INPUT, *exc.problems)


def _fail(status: int, *lines: str) -> NoReturn:
    for line in lines:
        click.echo(f"safeside: {line}", err=True)
    sys.exit(status)
