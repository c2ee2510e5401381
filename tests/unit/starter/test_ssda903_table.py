"""The SSDA903 Missing table as a file: the DfE's columns and codes, London days as dd/mm/yyyy,
an episode still open at the period's end with no MIS_END, and a child without a date of birth
left out; every file checked against liiatools' schema, which refuses broken ones."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from starter.services.ssda903 import COLUMNS, MissingEpisodeRow, missing_table, period_problems
from tests.support import ssda903_schema
from workflows.domain.common import MissingKind, Role

YEAR_END = date(2026, 3, 31)


def _episode(n: int, **changes: object) -> MissingEpisodeRow:
    fields: dict[str, object] = {
        "placement_id": f"PL-{n:04d}",
        "episode_id": f"PL-{n:04d}-M1",
        "case_reference": f"C{n:05d}",
        "date_of_birth": date(2010, 1, n),
        "kind": MissingKind.missing,
        "last_seen_at": datetime(2025, 6, n, 21, 0, tzinfo=UTC),
        "returned_at": datetime(2025, 6, n + 1, 9, 0, tzinfo=UTC),
    }
    return MissingEpisodeRow.model_validate(fields | changes)


def _lines(text: str) -> list[str]:
    return text.split("\r\n")[1:-1]


def test_the_schema_s_missing_table_has_the_columns_the_export_writes() -> None:
    assert tuple(ssda903_schema.table_schema("Missing")) == COLUMNS


def test_an_episode_reads_as_the_dfe_writes_it() -> None:
    away = _episode(3, kind=MissingKind.away_without_authorisation)
    table = missing_table([_episode(2), away], Role.registered_manager, YEAR_END)
    assert table.csv.startswith("CHILD,DOB,MISSING,MIS_START,MIS_END\r\n")
    assert _lines(table.csv) == [
        "C00002,02/01/2010,M,02/06/2025,03/06/2025",
        "C00003,03/01/2010,A,03/06/2025,04/06/2025",
    ]
    assert (table.episodes, table.left_out) == (2, ())
    assert ssda903_schema.problems(table.csv) == []


def test_days_are_london_days_across_midnight_in_summer_time() -> None:
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
    late = _episode(
        4,
        last_seen_at=datetime(2025, 6, 30, 23, 30, tzinfo=UTC),
        returned_at=datetime(2025, 7, 1, 23, 30, tzinfo=UTC),
    )
    [line] = _lines(missing_table([late], Role.social_worker, YEAR_END).csv)
    assert line.endswith(",01/07/2025,02/07/2025")


def test_an_episode_open_at_the_period_s_end_has_no_end_even_if_it_ended_since() -> None:
    still_missing = _episode(5, returned_at=None)
    back_after = _episode(
        6,
        last_seen_at=datetime(2026, 3, 30, 12, 0, tzinfo=UTC),
        returned_at=datetime(2026, 4, 2, 12, 0, tzinfo=UTC),
    )
    table = missing_table([still_missing, back_after], Role.registered_manager, YEAR_END)
    assert [line.rsplit(",", 1)[1] for line in _lines(table.csv)] == ["", ""]
    assert ssda903_schema.problems(table.csv) == []


def test_a_child_without_a_date_of_birth_is_left_out_and_named() -> None:
    table = missing_table(
        [_episode(7), _episode(8, date_of_birth=None), _episode(8, episode_id="PL-0008-M2",
                                                                 date_of_birth=None)],
        Role.registered_manager,
        YEAR_END,
    )  # fmt: skip
    assert (table.episodes, table.left_out) == (1, ("PL-0008",))
    assert ssda903_schema.problems(table.csv) == []


def test_a_role_that_may_not_see_identifying_fields_gets_them_redacted_never_shown() -> None:
    table = missing_table([_episode(9)], Role.auditor, YEAR_END)
    assert "C00009" not in table.csv
    assert "09/01/2010" not in table.csv
    assert ssda903_schema.problems(table.csv) != []  # such a file is no return


def test_an_empty_period_gives_the_header_alone() -> None:
    table = missing_table([], Role.social_worker, YEAR_END)
    assert table.csv == "CHILD,DOB,MISSING,MIS_START,MIS_END\r\n"
    assert ssda903_schema.problems(table.csv) == []


GOOD = "CHILD,DOB,MISSING,MIS_START,MIS_END\r\nC1,02/01/2010,M,02/06/2025,03/06/2025\r\n"


@pytest.mark.parametrize(
    ("broken", "said"),
    [
        (GOOD.replace("02/01/2010", ""), "DOB: blank"),
        (GOOD.replace(",M,", ",X,"), "MISSING: not one of the codes"),
        (GOOD.replace(",M,", ",missing,"), "MISSING: not one of the codes"),
        (GOOD.replace("02/06/2025", "2025-06-02"), "MIS_START: not a date"),
        (GOOD.replace("02/06/2025", "2/6/2025"), "MIS_START: not written as"),
        (GOOD.replace("03/06/2025", "31/02/2025"), "MIS_END: not a date"),
        (GOOD.replace("C1,", ","), "CHILD: blank"),
        (GOOD.replace("03/06/2025", "01/06/2025"), "MIS_END is before MIS_START"),
        (GOOD.replace("02/01/2010", "02/01/2026"), "MIS_START is before DOB"),
        (GOOD.replace("MIS_END\r\n", "MIS_END,NAME\r\n").replace("2025\r\n", "2025,Amina\r\n"),
         "columns the schema does not list"),
        (GOOD.replace(",MIS_END", ""), "the header lacks ['MIS_END']"),
        (GOOD.replace(",03/06/2025", ""), "4 cells for 5 columns"),
    ],
)  # fmt: skip
def test_a_file_the_dfe_would_refuse_fails_the_schema_check(broken: str, said: str) -> None:
    assert ssda903_schema.problems(GOOD) == []
    found = ssda903_schema.problems(broken)
    assert any(said in problem for problem in found), found


def test_a_period_is_refused_at_the_end_that_is_wrong() -> None:
    assert period_problems(date(2025, 4, 1), YEAR_END) == {}
    assert period_problems(YEAR_END, YEAR_END) == {}
    assert set(period_problems(YEAR_END, date(2025, 4, 1))) == {"to"}
    assert set(period_problems(date(1, 1, 1), date(9999, 12, 31))) == {"from", "to"}
