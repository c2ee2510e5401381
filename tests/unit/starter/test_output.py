from datetime import UTC, datetime

from starter.cli.output import london, table


def test_times_are_shown_in_london_time_with_gmt_or_bst() -> None:
    assert london(datetime(2026, 1, 15, 9, 0, tzinfo=UTC)) == "2026-01-15 09:00:00 GMT"
    assert london(datetime(2026, 7, 15, 9, 0, tzinfo=UTC)) == "2026-07-15 10:00:00 BST"


def test_a_table_lines_up_its_columns_and_shows_blanks_and_flags_plainly() -> None:
    shown = table(["id", "overdue", "note"], [("PL-1", True, None), ("PL-22", False, "x")])
    assert shown.splitlines() == [
        "id     overdue  note",
        "-----  -------  ----",
        "PL-1   yes      -",
        "PL-22  no       x",
    ]
