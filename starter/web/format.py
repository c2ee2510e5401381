"""How the pages say times, durations and names: Europe/London wall-clock times (GMT or BST),
durations in words, the domain's names in plain English, and redacted values as "hidden"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from markupsafe import Markup, escape

from safeside.redact import REDACTED
from starter.words import words
from workflows.domain.common import LONDON


def as_datetime(value: datetime | str | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def london_time(value: datetime | str | None) -> str:
    """``Fri 27 Nov 2026, 21:32 GMT``; "—" when there is none."""
    when = as_datetime(value)
    if when is None:
        return "—"
    local = when.astimezone(LONDON)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def day(value: date | str | None) -> Markup:
    """``Fri 27 Nov 2026``; a hidden value says so."""
    if is_hidden(value):
        return shown(value)
    try:
        when = value if isinstance(value, date) or value is None else date.fromisoformat(value)
    except ValueError:
        when = None
    return Markup("—") if when is None else escape(f"{when:%a} {when.day} {when:%b %Y}")


def duration_words(delta: timedelta) -> str:
    """The two largest units: ``2 days 3 h``, ``3 h 12 min``, ``45 min``."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} h")
    if minutes and not days:
        parts.append(f"{minutes} min")
    return " ".join(parts[:2]) or "less than a minute"


def minutes_words(minutes: int) -> str:
    """A length in minutes in words: ``2 days 3 h``."""
    return duration_words(timedelta(minutes=minutes))


def time_left(due_at: datetime | str | None, now: datetime) -> str:
    """``3 h 12 min left`` or ``overdue by 2 days 3 h``."""
    due = as_datetime(due_at)
    if due is None:
        return "—"
    delta = due - now.astimezone(UTC)
    if delta < timedelta(0):
        return f"overdue by {duration_words(delta)}"
    return f"{duration_words(delta)} left"


def ladder_step(
    name: str | None, at: datetime | str | None, since: datetime | str | None, now: datetime
) -> str:
    """A watch's next step, counted from its start: ``Duty manager at 24 h — in 23 h 50 min``;
    "—" when there is none."""
    when, start = as_datetime(at), as_datetime(since)
    if name is None or when is None or start is None:
        return "—"
    after = when - start
    whole_hours, rest = divmod(after, timedelta(hours=1))
    offset = f"{whole_hours} h" if not rest else duration_words(after)
    left = when - now.astimezone(UTC)
    told = "due now" if left <= timedelta(0) else f"in {duration_words(left)}"
    return f"{words(name)} at {offset} — {told}"


def ago(value: datetime | str | None, now: datetime) -> str:
    """``2 h 5 min ago``."""
    when = as_datetime(value)
    if when is None:
        return "—"
    return f"{duration_words(now.astimezone(UTC) - when)} ago"


def is_hidden(value: object) -> bool:
    return value == REDACTED


def shown(value: Any) -> Markup:
    """A value as a person reads it; a value their role may not see says "hidden"."""
    if is_hidden(value):
        return Markup('<span class="hidden-value">hidden</span>')
    if value is None:
        return Markup("—")
    if isinstance(value, bool):
        return Markup("yes" if value else "no")
    if isinstance(value, Mapping):
        return Markup("; ").join(
            Markup("{}: {}").format(words(key), shown(item)) for key, item in value.items()
        )
    if isinstance(value, Sequence) and not isinstance(value, str):
        return Markup(", ").join(shown(item) for item in value) if value else Markup("—")
    return escape(str(value))


def detail(value: Any, key: str) -> Markup:
    """A value of an audit entry's details: times (``*_at``) on the London clock."""
    if key.endswith("_at") and isinstance(value, str) and not is_hidden(value):
        return escape(london_time(value))
    return shown(value)


FILTERS = {
    "london_time": london_time,
    "day": day,
    "time_left": time_left,
    "minutes_words": minutes_words,
    "ago": ago,
    "ladder_step": ladder_step,
    "words": words,
    "shown": shown,
    "detail": detail,
}
TESTS = {"hidden": is_hidden}
