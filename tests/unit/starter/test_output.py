from datetime import UTC, datetime

from safeside.redact import REDACTED
from starter.cli.output import deadline_table, london, render_audit, state_fields, table


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


# The gate answers with JSON-ready data, redacted for the reader: the printers read it as is.

STATE = {
    "stream_id": "PL-1",
    "status": "open",
    "facts": {
        "unit_id": "UNIT-7",
        "case_reference": "CASE-1",
        "arrived_at": "2026-01-15T09:00:00Z",
    },
    "risk_level": "high",
    "risk_factors": ["car seen outside"],
    "leaflet_delivered_at": None,
    "missing_procedures_explained_at": None,
    "deadlines_missed": [],
    "version": 3,
}


def test_a_state_reads_as_fields_with_times_in_london() -> None:
    shown = state_fields(STATE).splitlines()
    assert "unit                     UNIT-7" in shown
    assert "arrived                  2026-01-15 09:00:00 GMT" in shown
    assert "risk factors             car seen outside" in shown
    assert "leaflet delivered        -" in shown


def test_a_hidden_field_or_a_hidden_part_reads_redacted() -> None:
    hidden_unit = STATE | {"facts": STATE["facts"] | {"unit_id": REDACTED}}
    assert f"unit                     {REDACTED}" in state_fields(hidden_unit).splitlines()
    hidden_facts = STATE | {"facts": REDACTED, "risk_factors": REDACTED}
    shown = state_fields(hidden_facts).splitlines()
    assert f"case                     {REDACTED}" in shown
    assert f"arrived                  {REDACTED}" in shown
    assert f"risk factors             {REDACTED}" in shown


def test_deadlines_read_as_a_table_in_london_time() -> None:
    deadline = {
        "deadline_id": "leaflet",
        "requirement": "R1",
        "due_at": "2026-07-15T09:00:00Z",
        "responsible_role": "key_worker",
        "next_step_name": None,
        "next_step_at": None,
        "overdue": True,
    }
    row = deadline_table([deadline]).splitlines()[2].split()
    assert row == ["leaflet", "R1", "2026-07-15", "10:00:00", "BST", "key_worker", "-", "-", "yes"]


def test_the_audit_csv_carries_utc_and_london_times_and_every_detail() -> None:
    entry = {
        "version": 1,
        "occurred_at": "2026-07-15T09:00:00Z",
        "event_type": "interpreter_requested",
        "actor_role": "registered_manager",
        "actor_ref": "staff-01",
        "details": {"language": "Tigrinya"},
    }
    rows = render_audit([entry, entry | {"details": REDACTED}], "csv").splitlines()
    assert rows[1] == (
        "1,2026-07-15T09:00:00+00:00,2026-07-15T10:00:00+01:00,interpreter_requested,"
        'registered_manager,staff-01,"{""language"": ""Tigrinya""}",False'
    )
    assert rows[2].endswith(f",{REDACTED},False")
    table_rows = render_audit([entry], "table").splitlines()
    assert table_rows[2].endswith("registered_manager/staff-01  language=Tigrinya")
    adopted = render_audit([entry | {"recorded_on_adoption": True}], "table").splitlines()
    assert "interpreter_requested (on adoption)" in adopted[2]
