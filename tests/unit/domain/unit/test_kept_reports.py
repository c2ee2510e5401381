"""The unit keeps each placement's last report as its JSON text and gives it back whole: a
report read back is the report kept, an older or repeated one is not newer, and a placement
that never reported has none."""

from __future__ import annotations

from tests.support.placements import observation
from tests.unit.domain.unit.unit_builders import HOUR, OPENED, placement, report
from workflows.domain.common import RiskLevel
from workflows.domain.decide import decide
from workflows.domain.policy import Policy
from workflows.domain.state import fold
from workflows.domain.unit.membership import KeptReports


def test_a_report_read_back_is_the_report_kept() -> None:
    first = report(placement("PL-1", OPENED, RiskLevel.high), OPENED + HOUR)
    second = report(placement("PL-2", OPENED, RiskLevel.low), OPENED + HOUR)
    kept = KeptReports([first, second])

    assert kept.of(["PL-2", "PL-1", "PL-3"]) == {"PL-2": second, "PL-1": first}


def test_only_a_later_version_of_a_placement_is_newer() -> None:
    state = placement("PL-1", OPENED, RiskLevel.high)
    older = report(state, OPENED + HOUR)
    later_state = fold(
        decide(state, observation(OPENED + HOUR), now=OPENED + HOUR, policy=Policy()), state
    )
    later = report(later_state, OPENED + 2 * HOUR)
    kept = KeptReports()

    assert kept.is_newer(older)
    kept.keep(later)
    assert not kept.is_newer(older)
    assert not kept.is_newer(later)
    assert kept.of(["PL-1"]) == {"PL-1": later}
