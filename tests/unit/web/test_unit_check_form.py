"""The whereabouts check as a form: one answer for each child the form was drawn for."""

from __future__ import annotations

from datetime import UTC, datetime

from starter.web.unit_check import read_check


def typed(name: str, day: str, month: str, year: str, time: str) -> dict[str, str]:
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year, f"{name}-time": time}


def test_every_child_needs_an_answer() -> None:
    fields, form = read_check(
        {"residents": "PL-0001,PL-0002", **typed("checked_at", "27", "11", "2026", "21:00"),
         "whereabouts-PL-0001": "seen"}
    )  # fmt: skip
    assert fields is None
    assert form.errors == {"whereabouts-PL-0002": "Choose one"}
    assert form.residents == ["PL-0001", "PL-0002"]


def test_a_child_away_with_permission_says_where_as_a_reference_and_until_when() -> None:
    fields, form = read_check(
        {"residents": "PL-0001,PL-0002", **typed("checked_at", "1", "7", "2026", "21:00"),
         "whereabouts-PL-0001": "seen", "whereabouts-PL-0002": "away_authorised",
         "where-PL-0002": "FRIEND-REF-3", **typed("until-PL-0002", "1", "7", "2026", "23:30"),
         "where-PL-0001": "ignored: the child was seen"}
    )  # fmt: skip
    assert form.errors == {}
    assert fields is not None
    assert fields["checked_at"] == datetime(2026, 7, 1, 20, 0, tzinfo=UTC)  # BST
    seen, away = fields["entries"]
    assert (seen["placement_id"], seen["whereabouts"]) == ("PL-0001", "seen")
    assert seen["known_whereabouts_reference"] is None
    assert away["known_whereabouts_reference"] == "FRIEND-REF-3"
    assert away["away_until"] == datetime(2026, 7, 1, 22, 30, tzinfo=UTC)


def test_a_time_that_is_not_a_time_is_said_next_to_its_field() -> None:
    fields, form = read_check(
        {
            "residents": "PL-0001",
            **typed("checked_at", "27", "11", "2026", "tonight"),
            "whereabouts-PL-0001": "not_seen",
        }
    )
    assert fields is None
    assert form.errors == {"checked_at": "Enter the time in 24 hours, such as 21:30"}
