"""How the pages say times, durations and values a role may not see."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from safeside.redact import REDACTED
from starter.web.format import day, detail, ladder_step, london_time, shown, time_left
from starter.words import words

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_times_are_on_the_london_clock_with_gmt_or_bst() -> None:
    assert london_time("2026-11-27T21:32:09Z") == "Fri 27 Nov 2026, 21:32 GMT"
    assert london_time(datetime(2026, 7, 1, 20, 32, tzinfo=UTC)) == "Wed 1 Jul 2026, 21:32 BST"
    assert london_time(None) == "—"
    assert day(date(2026, 7, 1)) == "Wed 1 Jul 2026"


def test_time_left_says_how_long_and_overdue_by_how_much() -> None:
    assert time_left(NOW + timedelta(hours=3, minutes=12, seconds=30), NOW) == "3 h 12 min left"
    assert time_left(NOW + timedelta(days=2, hours=3, minutes=5), NOW) == "2 days 3 h left"
    assert time_left(NOW - timedelta(minutes=45), NOW) == "overdue by 45 min"
    assert time_left(NOW + timedelta(seconds=20), NOW) == "less than a minute left"


def test_a_watch_says_its_next_step_counted_from_the_report_and_how_long_until_it() -> None:
    reported = NOW - timedelta(minutes=10)
    step_at = reported + timedelta(hours=24)
    assert ladder_step("duty_manager", step_at, reported, NOW) == (
        "Duty manager at 24 h — in 23 h 50 min"
    )
    assert ladder_step("registered_manager", step_at.isoformat(), reported.isoformat(), NOW) == (
        "Registered manager at 24 h — in 23 h 50 min"
    )
    assert ladder_step("duty_manager", NOW, reported, NOW) == "Duty manager at 10 min — due now"
    assert ladder_step(None, None, reported, NOW) == "—"


def test_a_value_the_role_may_not_see_says_hidden_and_text_is_escaped() -> None:
    assert "hidden" in shown(REDACTED)
    assert REDACTED not in shown(REDACTED)
    assert "hidden" in detail(REDACTED, "last_seen_at")
    assert shown("<b>bold</b>") == "&lt;b&gt;bold&lt;/b&gt;"
    assert shown(["a", REDACTED]).startswith("a, ")
    assert shown(None) == "—"
    assert shown(True) == "yes"


def test_names_read_as_words() -> None:
    assert words("leaflet_delivered") == "Leaflet delivered"
    assert words("lac_review") == "Looked after review"
    assert words("away_without_authorisation") == "Away without permission"
