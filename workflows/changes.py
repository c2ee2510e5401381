"""Which changes of the workflow code a run has: one marker for a run begun today, not one a
change.

``workflow.patched`` records, in each run, a marker and an upsert of the TemporalChangeVersion
search attribute for every change it is asked about: two history events each, and about 10 KiB
of the worker's memory for as long as the run is cached (the SDK core keeps both for the life
of the run). A new placement asked about three changes in its first task, and about six over a
run.

A run begun since this generation records one marker, for the generation, and has every change
named in it without asking. A run begun before asks about each change where it always did, so
every saved history replays as it was recorded. Called from workflow code only.
"""

from __future__ import annotations

from temporalio import workflow

# The changes every run of the generation has; a run begun before it asks about each.

# A placement tells its unit where it stands (placements begun before the unit workflow
# existed never did).
UNIT_REPORTS = "report-to-unit"
# An append sends the notifications it owes at once, and what is still owed goes out in one
# delivery activity, not one each.
BATCHED_DELIVERIES = "batched-deliveries"
# A placement lets its deliveries finish before it continues as new, as a unit always has
# (older runs carried them over).
SETTLED_DELIVERIES = "deliveries-settle-before-continue-as-new"
# A unit notice given up on is recorded in the unit's stream, which tells the Duty Manager, as a
# placement's always was (older runs only marked the outbox row failed).
UNIT_FAILED_NOTICES_ESCALATED = "unit-failed-notices-escalated"
# A run hands over to the next only once nothing is being stored and what it carries fits in
# one payload, and while it waits it wakes for the next step due, so a database outage at a
# continue-as-new never holds an escalation back (older runs waited in place).
HAND_OVER_WHEN_READY = "hand-over-when-ready"
# A run keeps its timer while the next step's time stays the same, instead of cancelling it
# and starting another at every change of state (two history events each).
STEADY_TIMER = "steady-timer"
# The report to the unit rides with the append that stores the change (one activity instead
# of two); it goes by itself only when the append could not deliver it, and once at the start
# of a run (older runs sent every report by itself).
REPORT_WITH_APPEND = "report-with-append"

# A run continues as new once its history has grown by ``history_bytes_per_run``, so what the
# worker keeps of a cached run stays bounded (older runs went on by events or length). New with
# the generation: no run asks about it by itself.
HISTORY_BYTES_LIMIT = "history-bytes-limit"

# From this generation on, a run records one marker and has every change above.
GENERATION = "changes-of-2026-11"
IN_GENERATION = frozenset(
    {
        UNIT_REPORTS,
        BATCHED_DELIVERIES,
        SETTLED_DELIVERIES,
        UNIT_FAILED_NOTICES_ESCALATED,
        HAND_OVER_WHEN_READY,
        STEADY_TIMER,
        REPORT_WITH_APPEND,
        HISTORY_BYTES_LIMIT,
    }
)


def begin_run() -> None:
    """Settle the run's generation: called by a workflow first thing, in its run's first task.

    A run begun by older code replays that task, finds no marker for the generation, and so
    is not of it for the rest of the run; a run begun now records the marker there."""
    workflow.patched(GENERATION)


def has_change(change: str) -> bool:
    """Whether this run has ``change``: every run of the generation has those named in it; an
    older run asks ``workflow.patched``, as it did when it was recorded."""
    return (change in IN_GENERATION and workflow.patched(GENERATION)) or workflow.patched(change)
