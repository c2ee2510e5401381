"""Inspection evidence, from PostgreSQL: the regulation 40 notifications register and the
missing-from-care record, for one child (a placement) or a unit, over a period.

- The register: every notice owed to Ofsted, the placing authority and the police (Children's
  Homes Regulations 2015 reg 40) by an event in the period, from the outbox (``notifications``)
  and the event that owed it: when, why, to whom, and its delivery (delivered, with when;
  pending or failed, with its attempts).
- The record: every missing or away-without-authorisation episode that overlaps the period,
  from the projections (``missing_episodes``): when the child was last seen and came back, for
  how long, whether the police's crime or CAD reference was recorded (never the reference
  itself), and whether the return interview was held within the policy's 72 hours.

Read after the gate let the caller in (``reading.open_placement`` for a child, ``open_unit``
for a unit: the unit's own managers); a unit's rows hold only the children the caller works
with (``visible_placements``), each child read in the access log. Every row is redacted by the
caller's allow-list before a door shows it or writes it as CSV, so the auditor, reading one
child, sees times, codes and states but no case reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from safeside.csv_text import csv_text
from safeside.redact import REDACTED
from starter.services import access_log
from starter.services.notices import DeliveryStatus
from starter.services.paging import Params
from starter.services.permissions import View
from starter.services.reading import PlacementRead, UnitRead
from starter.services.redaction import redacted_answer
from starter.services.relationships import visible_placements
from starter.words import plain_words
from workflows.domain.common import LONDON, Role

EvidenceRead = PlacementRead | UnitRead

# Regulation 40: the home notifies Ofsted, the placing authority and the police.
REG40_RECIPIENTS = (Role.ofsted, Role.placing_authority, Role.police)


class Reg40Notice(BaseModel):
    """One notice of the register, before redaction (keys as the allow-list names them)."""

    model_config = ConfigDict(frozen=True)

    placement_id: str
    case_reference: str | None
    # The event that owed the notice, and the missing episode it is about, if any.
    event_type: str
    about_version: int
    episode_id: str | None
    owed_at: datetime
    recipient: str
    purpose: str
    delivery_status: DeliveryStatus
    attempts: int
    delivered_at: datetime | None


class MissingRecordEntry(BaseModel):
    """One episode of the missing-from-care record, before redaction."""

    model_config = ConfigDict(frozen=True)

    placement_id: str
    case_reference: str | None
    episode_id: str
    kind: Literal["missing", "away"]
    last_seen_at: datetime
    reported_at: datetime
    returned_at: datetime | None
    # None while the child is still away.
    missing_minutes: int | None
    police_reference_recorded: bool
    return_interview_held_at: datetime | None
    # None until it is decided: not returned yet, or returned and still within the time.
    return_interview_in_time: bool | None


# A period not given is the last six months, to today.
DEFAULT_DAYS = 182


def default_period(now: datetime) -> tuple[date, date]:
    """The last six months, to today (London)."""
    today = now.astimezone(LONDON).date()
    return today - timedelta(days=DEFAULT_DAYS), today


def period_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The period's first London midnight and the midnight after its last day."""
    starts = datetime.combine(first, time(0), tzinfo=LONDON)
    return starts, datetime.combine(last + timedelta(days=1), time(0), tzinfo=LONDON)


def _scope(read: EvidenceRead, view: View, column: str, param: Params) -> str:
    """The SQL condition on ``column`` (a placement id) for the read's child or unit."""
    if read.view is not view:  # a door's mistake, never a person's
        raise RuntimeError(f"leave to read the {read.view.value} does not read the {view.value}")
    if isinstance(read, PlacementRead):
        return f"{column} = {param(read.placement_id)}"
    visible = visible_placements(read.caller, column, param)
    return f"p.unit_id = {param(read.unit_id)} AND {visible}"


async def _logged(read: EvidenceRead, placement_ids: Sequence[str]) -> None:
    """A unit's read is in the access log for the unit (``open_unit``) and for each child in
    it; a child's read already is (``open_placement``)."""
    if isinstance(read, UnitRead):
        for placement_id in dict.fromkeys(placement_ids):
            await access_log.record_read(
                read.services,
                access_log.read_by(
                    read.caller, read.view.value, placement_id, allowed=True, unit_id=read.unit_id
                ),
            )


async def reg40_register(read: EvidenceRead, first: date, last: date) -> list[dict[str, Any]]:
    """The reg 40 notices owed by events of the period, oldest first, as the caller may see
    them."""
    param = Params()
    scope = _scope(read, View.reg40_register, "n.stream_id", param)
    starts, ends = period_bounds(first, last)
    owed_at = "coalesce(e.occurred_at, n.created_at)"
    recipients = param([role.value for role in REG40_RECIPIENTS])
    rows = await read.services.pool.fetch(
        f"""SELECT n.stream_id AS placement_id, p.case_reference,
                   coalesce(e.event_type, '') AS event_type, n.event_version AS about_version,
                   e.payload ->> 'episode_id' AS episode_id, {owed_at} AS owed_at,
                   n.recipient, n.purpose, n.status AS delivery_status, n.attempts,
                   n.delivered_at
              FROM notifications n JOIN placements p ON p.stream_id = n.stream_id
                   LEFT JOIN events e ON e.stream_id = n.stream_id AND e.version = n.event_version
             WHERE n.recipient = ANY ({recipients}) AND {scope}
               AND {owed_at} >= {param(starts)} AND {owed_at} < {param(ends)}
             ORDER BY {owed_at}, n.stream_id, n.event_version, n.recipient""",
        *param.values,
    )
    notices = [Reg40Notice.model_validate(dict(row)) for row in rows]
    await _logged(read, [notice.placement_id for notice in notices])
    return list(redacted_answer(read.caller.role, notices))


async def missing_record(read: EvidenceRead, first: date, last: date) -> list[dict[str, Any]]:
    """The missing and away episodes overlapping the period, by when the child was last seen,
    as the caller may see them."""
    param = Params()
    scope = _scope(read, View.missing_record, "e.stream_id", param)
    starts, ends = period_bounds(first, last)
    last_seen = "coalesce(e.last_seen_at, e.started_at)"
    rows = await read.services.pool.fetch(
        f"""SELECT e.stream_id AS placement_id, p.case_reference, e.episode_id, e.kind,
                   {last_seen} AS last_seen_at, e.started_at AS reported_at,
                   e.ended_at AS returned_at, e.return_interview_held_at,
                   EXISTS (SELECT 1 FROM events k
                            WHERE k.stream_id = e.stream_id
                              AND k.event_type = 'police_acknowledged'
                              AND k.payload ->> 'episode_id' = e.episode_id
                              AND k.payload ->> 'police_reference' IS NOT NULL)
                       AS police_reference_recorded
              FROM missing_episodes e JOIN placements p ON p.stream_id = e.stream_id
             WHERE {scope} AND {last_seen} < {param(ends)}
               AND (e.ended_at IS NULL OR e.ended_at >= {param(starts)})
             ORDER BY {last_seen}, e.stream_id, e.episode_id""",
        *param.values,
    )
    within = read.services.policy.return_interview_within
    now = datetime.now(UTC)
    entries = [_entry(dict(row), within, now) for row in rows]
    await _logged(read, [entry.placement_id for entry in entries])
    return list(redacted_answer(read.caller.role, entries))


def _entry(row: dict[str, Any], within: timedelta, now: datetime) -> MissingRecordEntry:
    returned, held = row["returned_at"], row["return_interview_held_at"]
    away = None if returned is None else returned - row["last_seen_at"]
    in_time: bool | None = None
    if returned is not None and held is not None:
        in_time = held - returned <= within
    elif returned is not None and now - returned > within:
        in_time = False
    return MissingRecordEntry.model_validate(
        row
        | {
            "missing_minutes": None if away is None else int(away.total_seconds() // 60),
            "return_interview_in_time": in_time,
        }
    )


# -- As CSV: one header, one line per row, times as ISO 8601 on the London clock ---------------

REG40_COLUMNS = (
    ("placement_id", "placement"),
    ("case_reference", "case reference"),
    ("owed_at", "event time"),
    ("event_type", "event"),
    ("purpose", "purpose"),
    ("recipient", "recipient"),
    ("delivery_status", "delivery"),
    ("attempts", "attempts"),
    ("delivered_at", "delivered at"),
)
MISSING_RECORD_COLUMNS = (
    ("placement_id", "placement"),
    ("case_reference", "case reference"),
    ("episode_id", "episode"),
    ("kind", "kind"),
    ("last_seen_at", "last seen"),
    ("returned_at", "returned"),
    ("missing_minutes", "minutes away"),
    ("police_reference_recorded", "police reference recorded"),
    ("return_interview_held_at", "return interview held"),
    ("return_interview_in_time", "return interview within 72 hours"),
)
_IN_WORDS = frozenset({"event_type", "purpose", "recipient", "kind"})


def as_csv(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]]) -> str:
    """Redacted rows as CSV: a redacted value stays ``[redacted]``, an empty one is empty."""
    return csv_text(
        [heading for _, heading in columns],
        ([_cell(key, row.get(key)) for key, _ in columns] for row in rows),
    )


def _cell(key: str, value: Any) -> str:
    if value is None or value == REDACTED:
        return value or ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key.endswith("_at"):
        when = datetime.fromisoformat(value).astimezone(LONDON)
        return when.isoformat(timespec="minutes")
    if key in _IN_WORDS:
        return plain_words(value)
    return str(value)


def csv_name(what: str, subject: str, first: date, last: date) -> str:
    """``reg40-register_UNIT-7_20250401-20250930.csv``: opaque ids only."""
    return f"{what}_{subject}_{first:%Y%m%d}-{last:%Y%m%d}.csv"
