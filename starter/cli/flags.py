"""Options several commands share: how to print the answer, and reading a list a page at a time."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import click

from starter.cli import output
from starter.services.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

F = TypeVar("F", bound=Callable[..., Any])

json_flag = click.option("--json", "as_json", is_flag=True, help="Print JSON, for scripts.")
result_format = click.option(
    "--format",
    "result_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How to print the result.",
)
_after = click.option("--after", help="Start after this cursor (printed at the end of a page).")
_limit = click.option(
    "--limit",
    type=click.IntRange(1, MAX_PAGE_SIZE),
    default=DEFAULT_PAGE_SIZE,
    show_default=True,
    help="How many to show.",
)


@dataclass(frozen=True)
class Listing:
    """Which page of a list to show (``--after``, ``--limit``), and how (``--json``)."""

    after: str | None
    limit: int
    as_json: bool

    def show(
        self,
        page: output.Record,
        *,
        empty: str,
        headers: Sequence[str],
        row: Callable[[output.Record], Sequence[object]],
    ) -> None:
        """The page (a keyset page as the gate answers it: ``items``, ``next_after``) as a
        table (``empty`` when it has nothing), then how to ask for the next."""
        if self.as_json:
            click.echo(output.to_json(page))
            return
        items = page.get("items") or []
        if not items:
            click.echo(empty)
            return
        click.echo(output.table(headers, [row(item) for item in items]))
        if page.get("next_after") is not None:
            click.echo(f"\nmore: add --after {page['next_after']}")


def listed(command: F) -> F:
    """``--after``, ``--limit`` and ``--json``, handed to the command as ``listing``."""

    @functools.wraps(command)
    def collected(*args: Any, after: str | None, limit: int, as_json: bool, **rest: Any) -> Any:
        return command(*args, listing=Listing(after, limit, as_json), **rest)

    return cast(F, _after(_limit(json_flag(collected))))
