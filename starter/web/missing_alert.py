"""A missing child as an alert: what the Duty Manager does now, in one shape for Today and the
placement page. Built from answers already redacted for the viewer (``reading``), so a value
their role may not see reads "hidden" here too; nothing here reads or unredacts anything.

- Today: one ``reading.missing_now`` row per child (the projections, the report, the outbox).
- The placement page: the open episode of the state, the watch of the deadlines, the police's
  notice of who was told, and the report from the audit trail."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# The Missing Children's Proforma and Philomena Protocol part 2 references the report holds,
# in the order the police ask for them.
HANDOVER_FIELDS = (
    ("last_seen_place_reference", "Where last seen"),
    ("known_whereabouts_reference", "Where the child is"),
    ("circumstances", "Circumstances"),
    ("clothing_reference", "Clothing (Philomena Protocol part 2)"),
    ("description_reference", "Description or photo"),
)


@dataclass(frozen=True)
class PoliceNotice:
    """The police's Missing Children's Proforma, as the outbox has it."""

    delivery_status: str
    delivered_at: Any
    attempts: int


@dataclass(frozen=True)
class MissingAlert:
    placement_id: str
    episode_id: Any
    kind: str
    reported_at: Any
    last_seen_at: Any
    police_risk_grade: Any
    # Who reported the child missing: role and staff reference (None until the report
    # reaches the audit trail, or for a viewer who may not read it).
    reported_by_role: Any
    reported_by_ref: Any
    # False when the viewer may not read who was told: the page says nothing of the notice.
    notices_shown: bool
    police_notice: PoliceNotice | None
    police_acknowledged_at: Any
    police_reference: Any
    # (label, value) of each reference the report holds, for the police.
    handover: tuple[tuple[str, Any], ...]
    next_step_name: Any
    next_step_at: Any
    # When the watch started: its ladder's times count from it.
    watch_since: Any
    # The child's unit, on Today (the placement page's summary says it).
    unit_id: Any = None


def _handover(report: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(
        (label, report[name]) for name, label in HANDOVER_FIELDS if report.get(name) is not None
    )


def _notice(row: Mapping[str, Any] | None) -> PoliceNotice | None:
    if row is None or row.get("delivery_status") is None:
        return None
    return PoliceNotice(row["delivery_status"], row.get("delivered_at"), row.get("attempts") or 0)


def from_today(child: Mapping[str, Any], *, notices_shown: bool) -> MissingAlert:
    """The alert of one child of Today's "Missing now" (``today.MissingChild``, redacted)."""
    return MissingAlert(
        placement_id=str(child["placement_id"]),
        episode_id=child.get("episode_id"),
        kind=child["kind"],
        reported_at=child["since"],
        last_seen_at=child["last_seen_at"],
        police_risk_grade=child["police_risk_grade"],
        reported_by_role=child.get("actor_role"),
        reported_by_ref=child.get("actor_ref"),
        notices_shown=notices_shown,
        police_notice=_notice(child),
        police_acknowledged_at=child.get("police_acknowledged_at"),
        police_reference=child.get("police_reference"),
        handover=_handover(child),
        next_step_name=child.get("next_step_name"),
        next_step_at=child.get("next_step_at"),
        watch_since=child["since"],
        unit_id=child["unit_id"],
    )


def from_placement(
    placement_id: str,
    episode: Mapping[str, Any],
    *,
    report: Mapping[str, Any] | None,
    watch: Mapping[str, Any] | None,
    notice: Mapping[str, Any] | None,
    notices_shown: bool,
) -> MissingAlert:
    """The alert of a placement's open ``episode`` (the state's), with its ``report`` (the
    audit trail's entry of it, if it has arrived), ``watch`` and the police's ``notice``."""
    details: Mapping[str, Any] = {} if report is None else report["details"]
    return MissingAlert(
        placement_id=placement_id,
        episode_id=episode["episode_id"],
        kind=episode["kind"],
        reported_at=episode["reported_at"],
        last_seen_at=episode["last_seen_at"],
        police_risk_grade=episode["police_risk_grade"],
        reported_by_role=None if report is None else report["actor_role"],
        reported_by_ref=None if report is None else report["actor_ref"],
        notices_shown=notices_shown,
        police_notice=_notice(notice),
        police_acknowledged_at=episode["police_acknowledged_at"],
        police_reference=episode["police_reference"],
        handover=_handover(details),
        next_step_name=None if watch is None else watch["next_step_name"],
        next_step_at=None if watch is None else watch["next_step_at"],
        watch_since=episode["reported_at"] if watch is None else watch["due_at"],
    )


def tab_title(missing: int, page: str) -> str:
    """``(1 missing) Today``: a count only, never who."""
    return f"({missing} missing) {page}" if missing else page


def announcement(known: Iterable[str] | None, missing_now: Iterable[str]) -> str | None:
    """What a screen reader hears when the children missing changed since the page last
    showed them (``known``, the placement ids it showed); None when nothing changed, so a
    refresh showing the same children says nothing again."""
    if known is None:
        return None
    before, now = set(known), list(dict.fromkeys(missing_now))
    new = [placement_id for placement_id in now if placement_id not in before]
    back = sorted(before - set(now))
    if not new and not back:
        return None
    said = [f"Reported missing: placement {placement_id}." for placement_id in new]
    said += [f"No longer missing: placement {placement_id}." for placement_id in back]
    count = len(now)
    said.append(
        "No child is missing now."
        if count == 0
        else f"{count} child{'' if count == 1 else 'ren'} missing now."
    )
    return " ".join(said)
