"""Keyset pages: lists are read a page at a time from the last key seen, so a page costs the same
on the ten-thousandth placement as on the first (indexes in ``0003_api.sql``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# The largest value the columns a cursor stands for can hold: an event's version is an
# `integer`, an access-log id a `bigint`. A larger cursor is a wrong request (422), not a 500.
MAX_VERSION = 2**31 - 1
MAX_ROW_ID = 2**63 - 1
# A cursor a page wrote is far shorter; a longer one is not one.
MAX_CURSOR_CHARS = 512

ItemT = TypeVar("ItemT")
CursorT = TypeVar("CursorT")


class KeysetPage(BaseModel, Generic[ItemT, CursorT]):
    model_config = ConfigDict(frozen=True)

    items: list[ItemT]
    # Pass as `after` for the next page; None on the last page.
    next_after: CursorT | None


def one_page(rows: Sequence[ItemT], limit: int) -> tuple[list[ItemT], bool]:
    """The page's rows (the query asks for ``limit + 1``), and whether more follow."""
    return list(rows[:limit]), len(rows) > limit


class Params:
    """Numbered query parameters, so conditions are added only when a filter is used (a
    catch-all ``$1 IS NULL OR ...`` would keep PostgreSQL from choosing the index)."""

    def __init__(self) -> None:
        self.values: list[object] = []

    def __call__(self, value: object) -> str:
        self.values.append(value)
        return f"${len(self.values)}"
