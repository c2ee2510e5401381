"""The regulation 45 review of the quality of care: the figures for one unit over a period,
from PostgreSQL, for its Registered Manager (``reading.open_unit`` with
``View.quality_review``: the read is in the access log for the unit).

Five tables, each the numbers of one chart (``starter.web.charts`` draws them):

- missing and away episodes by the month the child was last seen, and how long they lasted;
- statutory deadlines due in the period, met on time against missed, by kind (worked out from
  each placement's events: ``deadline_outcomes``);
- escalations raised in the period, by kind and step (``escalations``);
- return interviews after the returns of the period: within 72 hours, late, not held;
- the notices owed by the period's events, delivered, pending and failed, by recipient.

Counts only: no child, case or place is named, so the figures need no redaction beyond the
gate, which lets in only the unit's own Registered Manager.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from asyncpg import Record
from pydantic import BaseModel, ConfigDict

from activities.projections import read_stored_events
from starter.services.deadline_outcomes import deadline_outcomes
from starter.services.evidence import period_bounds
from starter.services.paging import Params
from starter.services.permissions import View
from starter.services.reading import UnitRead
from starter.services.relationships import visible_placements
from starter.words import plain_words, words
from workflows.domain.common import LONDON, DeadlineKind
from workflows.domain.events import PLACEMENT_EVENTS


class Tally(BaseModel):
    """One row of a chart's table: its label and a count per series."""

    model_config = ConfigDict(frozen=True)

    label: str
    counts: tuple[int, ...]


class ChartData(BaseModel):
    """A chart's numbers: what it shows, its series and rows, and its text alternative."""

    model_config = ConfigDict(frozen=True)

    key: str
    title: str
    row_heading: str
    series: tuple[str, ...]
    rows: tuple[Tally, ...]

    @property
    def totals(self) -> tuple[int, ...]:
        return tuple(sum(row.counts[i] for row in self.rows) for i in range(len(self.series)))

    @property
    def summary(self) -> str:
        """The chart in one sentence: the total of each series ("the table gives each")."""
        if not self.rows:
            return f"{self.title}: none in the period."
        said = ", ".join(f"{n} {name}" for n, name in zip(self.totals, self.series, strict=True))
        return f"{self.title}: {said} in all, over {len(self.rows)} {self.row_heading.lower()}s."


class QualityReview(BaseModel):
    model_config = ConfigDict(frozen=True)

    unit_id: str
    first: date
    last: date
    charts: tuple[ChartData, ...]


LENGTHS = (
    (timedelta(hours=24), "Under 24 hours"),
    (timedelta(days=3), "1 to 3 days"),
    (timedelta.max, "Over 3 days"),
)


async def quality_review(read: UnitRead, first: date, last: date) -> QualityReview:
    """The unit's five tables for the period (both days included)."""
    if read.view is not View.quality_review:  # a door's mistake, never a person's
        raise RuntimeError(f"leave to read the {read.view.value} does not read the review")
    starts, ends = period_bounds(first, last)
    pool = read.services.pool

    async def unit_rows(sql: str) -> list[Record]:
        """``sql``'s rows, its {unit} the unit's children the caller may see, its {starts}
        and {ends} the period's."""
        param = Params()
        unit = f"p.unit_id = {param(read.unit_id)} AND " + visible_placements(
            read.caller, "p.stream_id", param
        )
        holes = {"unit": unit}
        for name, value in (("starts", starts), ("ends", ends)):
            if "{" + name + "}" in sql:
                holes[name] = param(value)
        return await pool.fetch(sql.format(**holes), *param.values)

    episodes = await unit_rows(
        """SELECT e.kind, coalesce(e.last_seen_at, e.started_at) AS last_seen_at, e.ended_at,
                  e.return_interview_held_at
             FROM missing_episodes e JOIN placements p ON p.stream_id = e.stream_id
            WHERE {unit} AND coalesce(e.last_seen_at, e.started_at) >= {starts}
                  AND coalesce(e.last_seen_at, e.started_at) < {ends}"""
    )
    returns = await unit_rows(
        """SELECT e.ended_at, e.return_interview_held_at
             FROM missing_episodes e JOIN placements p ON p.stream_id = e.stream_id
            WHERE {unit} AND e.ended_at >= {starts} AND e.ended_at < {ends}"""
    )
    escalations = await unit_rows(
        """SELECT e.kind, e.step_name, count(*)::integer AS raised
             FROM escalations e JOIN placements p ON p.stream_id = e.stream_id
            WHERE {unit} AND e.raised_at >= {starts} AND e.raised_at < {ends}
            GROUP BY 1, 2 ORDER BY 1, 2"""
    )
    notices = await unit_rows(
        """SELECT n.recipient, n.status, count(*)::integer AS owed
             FROM notifications n JOIN placements p ON p.stream_id = n.stream_id
                  LEFT JOIN events e ON e.stream_id = n.stream_id AND e.version = n.event_version
            WHERE {unit} AND coalesce(e.occurred_at, n.created_at) >= {starts}
                  AND coalesce(e.occurred_at, n.created_at) < {ends}
            GROUP BY 1, 2 ORDER BY 1, 2"""
    )
    # Every placement of the unit: a deadline due in the period may belong to one that
    # started long before it (the period's own bounds are not used).
    placement_ids = await unit_rows("SELECT p.stream_id FROM placements p WHERE {unit}")
    now = datetime.now(UTC)
    outcomes: Counter[tuple[str, bool]] = Counter()
    async with pool.acquire() as con:
        for row in placement_ids:
            stored = await read_stored_events(con, row["stream_id"])
            events = [event.read(PLACEMENT_EVENTS) for event in stored]
            for outcome in deadline_outcomes(row["stream_id"], events, read.services.policy, now):
                if starts <= outcome.due_at < ends:
                    outcomes[(outcome.kind.value, outcome.outcome == "on_time")] += 1
    within = read.services.policy.return_interview_within
    charts = (
        _by_month(episodes, first, last),
        _by_length(episodes),
        _deadlines(outcomes),
        _tally(
            "escalations",
            "Escalations by kind and step",
            "Kind and step",
            ("raised",),
            [
                (f"{words(r['kind'])}: {plain_words(r['step_name'])}", (r["raised"],))
                for r in escalations
            ],
        ),
        _return_interviews(returns, within, now),
        _notices(notices),
    )
    return QualityReview(unit_id=read.unit_id, first=first, last=last, charts=charts)


def _tally(
    key: str,
    title: str,
    row_heading: str,
    series: tuple[str, ...],
    rows: Sequence[tuple[str, tuple[int, ...]]],
) -> ChartData:
    return ChartData(
        key=key,
        title=title,
        row_heading=row_heading,
        series=series,
        rows=tuple(Tally(label=label, counts=counts) for label, counts in rows),
    )


def _months(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _by_month(episodes: list[Any], first: date, last: date) -> ChartData:
    counted = Counter(
        (row["last_seen_at"].astimezone(LONDON).date().replace(day=1), row["kind"])
        for row in episodes
    )
    rows = [
        (f"{month:%b %Y}", (counted[(month, "missing")], counted[(month, "away")]))
        for month in _months(first, last)
    ]
    return _tally(
        "missing-by-month",
        "Missing and away episodes by month",
        "Month",
        ("missing", "away without permission"),
        rows,
    )


def _by_length(episodes: list[Any]) -> ChartData:
    counted: Counter[str] = Counter()
    for row in episodes:
        if row["ended_at"] is None:
            counted["Still away"] += 1
            continue
        away = row["ended_at"] - row["last_seen_at"]
        counted[next(label for limit, label in LENGTHS if away < limit)] += 1
    labels = [label for _, label in LENGTHS] + ["Still away"]
    return _tally(
        "missing-lengths", "How long episodes lasted", "Length", ("episodes",),
        [(label, (counted[label],)) for label in labels],
    )  # fmt: skip


def _deadlines(outcomes: Counter[tuple[str, bool]]) -> ChartData:
    kinds = sorted(
        {kind for kind, _ in outcomes}, key=lambda k: list(DeadlineKind).index(DeadlineKind(k))
    )
    rows = [(words(kind), (outcomes[(kind, True)], outcomes[(kind, False)])) for kind in kinds]
    return _tally(
        "deadlines",
        "Statutory deadlines due in the period: met on time against missed",
        "Kind",
        ("met on time", "missed"),
        rows,
    )


def _return_interviews(returns: list[Any], within: timedelta, now: datetime) -> ChartData:
    counted: Counter[str] = Counter()
    for row in returns:
        back, held = row["ended_at"], row["return_interview_held_at"]
        if held is not None:
            counted["Within 72 hours" if held - back <= within else "Late"] += 1
        else:
            counted["Not held, still in time" if now - back <= within else "Not held"] += 1
    labels = ("Within 72 hours", "Late", "Not held", "Not held, still in time")
    return _tally(
        "return-interviews", "Return interviews after each return", "Outcome", ("returns",),
        [(label, (counted[label],)) for label in labels],
    )  # fmt: skip


def _notices(notices: list[Any]) -> ChartData:
    counted = {(row["recipient"], row["status"]): row["owed"] for row in notices}
    recipients = sorted({recipient for recipient, _ in counted})
    statuses = ("delivered", "failed", "pending")
    rows = [
        (words(recipient), tuple(counted.get((recipient, status), 0) for status in statuses))
        for recipient in recipients
    ]
    return _tally(
        "notices", "Notices delivered against failed, by recipient", "Recipient", statuses, rows
    )
