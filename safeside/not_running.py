"""Placements that are not running: housed at their start (``placement_homes``) but without a
single event in the audit trail minutes later.

A placement's workflow stores its start within seconds. When nothing is stored, the workflow
is not running: its task fails on every attempt (a bug, a start it cannot run with), it was
refused or failed after its home was recorded, or no worker serves its task queue. The child
is then on no list read from the projections, so Today shows these placements to the unit's
managers and ``/metrics`` counts them (``docs/operations.md``, "A placement shown as not
running").
"""

from __future__ import annotations

from datetime import timedelta

# Room for a worker restart or a short PostgreSQL outage before a placement is called not
# running: the workflow stores its start as soon as it can.
NOT_RUNNING_AFTER = timedelta(minutes=5)


def condition(home: str) -> str:
    """A SQL condition true when the ``placement_homes`` row aliased ``home`` is of a placement
    that is not running."""
    seconds = int(NOT_RUNNING_AFTER.total_seconds())
    return (
        f"{home}.placed_at < now() - make_interval(secs => {seconds})"
        f" AND NOT EXISTS (SELECT 1 FROM events ev WHERE ev.stream_id = {home}.placement_id)"
    )
