"""The SSDA903 Missing table: every missing or away-without-authorisation episode that overlaps
a period, as the placing authority returns it to the DfE, from the projections.

The DfE's columns and codes (``COLUMNS``), dates as dd/mm/yyyy London days:

- CHILD: the case reference, the placing authority's own reference for the child, which its
  other SSDA903 tables carry (a placement id is Safeside's, and a child who moves has several);
- DOB: the date of birth from the start facts;
- MISSING: M (whereabouts unknown) or A (away without authorisation, whereabouts known);
- MIS_START: the day the child was last seen, when the episode began;
- MIS_END: the day they came back; empty while the episode was still open at the period's end.

Identifying (the case reference, the date of birth): read after ``reading.open_view`` let the
caller's role read ``View.ssda903_missing``, holding only the children the caller works with
(``relationships.visible_placements``, as every list), each child read in the access log, and
every row redacted by the caller's allow-list before it becomes CSV. The DfE refuses a row
without a DOB, so a child whose date of birth was never recorded is left out of the file and
their placement named in ``left_out``, for the reader to complete.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from safeside.csv_text import csv_text
from safeside.redact import REDACTED
from starter.services import access_log
from starter.services.paging import Params
from starter.services.permissions import View
from starter.services.reading import ViewRead
from starter.services.redaction import redacted_answer
from starter.services.relationships import visible_placements
from workflows.domain.calendar import KNOWN_YEARS
from workflows.domain.common import LONDON, MissingKind, Role

COLUMNS = ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END")
CODES = {MissingKind.missing: "M", MissingKind.away_without_authorisation: "A"}
# How the projections name the two kinds (``activities.projections``).
_PROJECTED_KINDS = {"missing": MissingKind.missing, "away": MissingKind.away_without_authorisation}
DFE_DATE = "%d/%m/%Y"


class MissingEpisodeRow(BaseModel):
    """One episode as the return reads it, before redaction (keys as the allow-list names
    them)."""

    model_config = ConfigDict(frozen=True)

    placement_id: str
    episode_id: str
    case_reference: str | None
    date_of_birth: date | None
    kind: MissingKind
    last_seen_at: datetime
    returned_at: datetime | None


@dataclass(frozen=True)
class MissingReturn:
    """The table as CSV text, how many episodes it holds, and the placements left out for
    want of a date of birth."""

    csv: str
    episodes: int
    left_out: tuple[str, ...]


def period_problems(period_from: date, period_to: date) -> dict[str, str]:
    """What is wrong with a period, by the name of its end ("from", "to"); empty when none."""
    problems = {
        end: f"give a day between {KNOWN_YEARS[0]} and {KNOWN_YEARS[-1]}"
        for end, day in (("from", period_from), ("to", period_to))
        if day.year not in KNOWN_YEARS
    }
    if not problems and period_to < period_from:
        problems["to"] = "the period must end on or after the day it starts"
    return problems


def _london_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON)


async def missing_episodes(
    read: ViewRead, period_from: date, period_to: date
) -> list[MissingEpisodeRow]:
    """The episodes overlapping the period (both days included) of the children the caller
    works with, by child and start; each child's read in the access log."""
    if read.view is not View.ssda903_missing:  # a door's mistake, never a person's
        raise RuntimeError(f"leave to read the {read.view.value} does not read the SSDA903")
    param = Params()
    starts, ends = _london_midnight(period_from), _london_midnight(period_to + timedelta(days=1))
    sql = f"""SELECT e.stream_id AS placement_id, e.episode_id, p.case_reference,
                     p.date_of_birth, e.kind,
                     coalesce(e.last_seen_at, e.started_at) AS last_seen_at,
                     e.ended_at AS returned_at
                FROM missing_episodes e JOIN placements p ON p.stream_id = e.stream_id
               WHERE {visible_placements(read.caller, "e.stream_id", param)}
                 AND coalesce(e.last_seen_at, e.started_at) < {param(ends)}
                 AND (e.ended_at IS NULL OR e.ended_at >= {param(starts)})
               ORDER BY p.case_reference, last_seen_at, e.episode_id"""
    rows = await read.services.pool.fetch(sql, *param.values)
    episodes = [
        MissingEpisodeRow.model_validate(dict(row) | {"kind": _PROJECTED_KINDS[row["kind"]]})
        for row in rows
    ]
    for placement_id in dict.fromkeys(episode.placement_id for episode in episodes):
        await access_log.record_read(
            read.services,
            access_log.read_by(read.caller, View.ssda903_missing.value, placement_id, allowed=True),
        )
    return episodes


async def missing_return(read: ViewRead, period_from: date, period_to: date) -> MissingReturn:
    """The Missing table for the period, as the caller may see it."""
    episodes = await missing_episodes(read, period_from, period_to)
    return missing_table(episodes, read.caller.role, period_to)


def missing_table(
    episodes: Sequence[MissingEpisodeRow], role: Role, period_to: date
) -> MissingReturn:
    """The table of ``episodes`` (of a period ending on ``period_to``) as ``role`` sees them."""
    shown = redacted_answer(role, episodes)
    ends = _london_midnight(period_to + timedelta(days=1))
    lines = [
        _line(row, ends)
        for row, episode in zip(shown, episodes, strict=True)
        if episode.date_of_birth is not None
    ]
    left_out = tuple(dict.fromkeys(e.placement_id for e in episodes if e.date_of_birth is None))
    return MissingReturn(csv=as_csv(lines), episodes=len(lines), left_out=left_out)


def _line(row: dict[str, Any], period_ends: datetime) -> tuple[str, ...]:
    """One row of the table from a redacted episode (a value redacted stays ``[redacted]``)."""
    returned = row["returned_at"]
    ended_in_period = returned is not None and (
        returned == REDACTED or datetime.fromisoformat(returned) < period_ends
    )
    kind = row["kind"]
    return (
        row["case_reference"],
        _day(row["date_of_birth"]),
        kind if kind == REDACTED else CODES[MissingKind(kind)],
        _day(row["last_seen_at"]),
        _day(returned) if ended_in_period else "",
    )


def _day(value: str | None) -> str:
    """A date or time from a redacted answer as the DfE writes a day: dd/mm/yyyy, London."""
    if value is None or value == REDACTED:
        return value or ""
    if "T" in value:
        return datetime.fromisoformat(value).astimezone(LONDON).strftime(DFE_DATE)
    return date.fromisoformat(value).strftime(DFE_DATE)


def as_csv(lines: list[tuple[str, ...]]) -> str:
    """The table as CSV: the DfE's header, then one line per episode."""
    return csv_text(COLUMNS, lines)
