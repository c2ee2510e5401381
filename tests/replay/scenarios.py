"""The representative stories whose Temporal histories are saved under ``histories/``.

Each scenario drives a PlacementWorkflow on the time-skipping server with in-memory
activities (``tests.support.fake_activities``) and returns when its work has settled. The
recorder (``record_histories.py``) saves every run of the workflow (a continue-as-new starts a
new run, with a history of its own) as ``<scenario>.run<N>.json``.

A unit with a week of checks: the unit workflow is being written in its own issue. When it
lands, add a ``UnitScenario`` here (it starts a ``UnitWorkflow``, records a week of hourly
checks, house meetings and building checks) and list it in ``UNIT_SCENARIOS``; the recorder
and the replay test pick up every file under ``histories/`` whatever workflow it belongs to.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from tests.support.fake_activities import FakeActivities
from tests.support.placements import KEY_WORKER, MANAGER, SOCIAL_WORKER
from tests.support.running import Running
from workflows.domain.commands import (
    EndPlacement,
    ImposeRestriction,
    ProposeVisitor,
    RecordLeafletDelivered,
    RecordMissingProceduresExplained,
    RecordPhoneReleaseConfirmed,
    RecordReturn,
    RecordReturnInterview,
    RecordRiskAssessment,
    RecordVisit,
    RecordVisitorVerified,
    ReportMissing,
)
from workflows.domain.common import MissingKind, PoliceRiskGrade, RestrictionKind, RiskLevel

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Scenario:
    name: str
    story: Callable[[Running], Awaitable[None]]
    events_per_run: int = 500
    # Recipients whose channel is down for the whole story.
    unreachable: frozenset[str] = field(default_factory=frozenset)

    def fakes(self) -> FakeActivities:
        return FakeActivities(unreachable=set(self.unreachable))


async def leaflet(p: Running) -> None:
    await p.record(
        RecordLeafletDelivered(
            actor=KEY_WORKER,
            language="Tigrinya",
            interpreter_reference="INT-5521",
            child_understanding="understood, asked about phones",
            delivered_at=await p.env.get_current_time(),
        )
    )


async def end(p: Running) -> None:
    await p.record(
        EndPlacement(actor=MANAGER, reason="moved", ended_at=await p.env.get_current_time())
    )
    await p.handle.result()


async def quiet_placement(p: Running) -> None:
    """Arrival work done on time, a few quiet days, then the child moves on."""
    await leaflet(p)
    await p.record(
        RecordMissingProceduresExplained(
            actor=KEY_WORKER, explained_at=await p.env.get_current_time()
        )
    )
    await p.record(
        RecordRiskAssessment(
            actor=KEY_WORKER,
            level=RiskLevel.high,
            factors=("phone contact",),
            child_participated=True,
            child_views="wants to stay",
            assessed_at=await p.env.get_current_time(),
        )
    )
    await p.env.sleep(2 * DAY)
    await p.settled()
    await end(p)


async def missing_episode(p: Running) -> None:
    """The child goes missing: the police are told, the ladder climbs daily to the placing
    authority and repeats, the child returns, the Return Home Interview is held."""
    await leaflet(p)
    now = await p.env.get_current_time()
    await p.record(
        ReportMissing(
            actor=KEY_WORKER,
            kind=MissingKind.missing,
            last_seen_at=now - MINUTE,
            last_seen_place_reference="PLACE-REF-17",
            circumstances="did not come back from college",
            police_risk_grade=PoliceRiskGrade.medium,
            clothing_reference="PHIL-2-0042",
        )
    )
    await p.env.sleep(4 * DAY + MINUTE)
    await p.settled()
    await p.record(
        RecordReturn(
            actor=KEY_WORKER,
            returned_at=await p.env.get_current_time(),
            found_by_reference="police",
            where_found_reference="FOUND-REF-3",
        )
    )
    await p.env.sleep(DAY)
    await p.record(
        RecordReturnInterview(
            actor=SOCIAL_WORKER,
            episode_id=f"{p.placement_id}-M1",
            held_at=await p.env.get_current_time(),
            interviewer_reference="rhi-1",
            child_views="wants to stay",
        )
    )
    await p.settled()
    await end(p)


async def escalations_at_every_level(p: Running) -> None:
    """Nobody records anything for six weeks: every clock climbs its ladder, from the key
    worker's reminder to the Independent Reviewing Officer."""
    await p.env.sleep(42 * DAY)
    await p.settled()
    await end(p)


async def notification_given_up(p: Running) -> None:
    """UKVI cannot be reached: its deliveries are retried to the limit, then marked failed and
    the Duty Manager is told (a NotificationFailed event)."""
    await p.env.sleep(DAY)
    await p.settled()
    await end(p)


async def protections(p: Running) -> None:
    """A visitor is proposed, verified by the social worker and visits; the phone is released
    on written confirmation; the internet is restricted."""
    await leaflet(p)
    await p.record(
        ProposeVisitor(actor=KEY_WORKER, visitor_reference="VIS-1", stated_relationship="uncle")
    )
    now = await p.env.get_current_time()
    await p.record(
        RecordVisitorVerified(
            actor=SOCIAL_WORKER,
            visitor_reference="VIS-1",
            interviewed_at=now,
            identity_established=True,
            relationship_established=True,
        )
    )
    await p.record(RecordVisit(actor=KEY_WORKER, visitor_reference="VIS-1", visited_at=now))
    await p.record(
        RecordPhoneReleaseConfirmed(
            actor=SOCIAL_WORKER, confirmation_reference="EMAIL-2291", confirmed_at=now
        )
    )
    await p.record(
        ImposeRestriction(
            actor=MANAGER, kind=RestrictionKind.internet, reason="grooming risk", starts_at=now
        )
    )
    await p.env.sleep(15 * DAY)
    await p.settled()
    await end(p)


async def continue_as_new_boundaries(p: Running) -> None:
    """Ten events a run: the escalations of three weeks cross several continue-as-new
    boundaries, with actions recorded between them."""
    await p.env.sleep(3 * DAY)
    await leaflet(p)
    await p.env.sleep(18 * DAY)
    await p.settled()
    await end(p)


PLACEMENT_SCENARIOS = [
    Scenario("quiet_placement", quiet_placement),
    Scenario("missing_episode", missing_episode),
    Scenario("escalations_at_every_level", escalations_at_every_level),
    Scenario("notification_given_up", notification_given_up, unreachable=frozenset({"ukvi"})),
    Scenario("protections", protections),
    Scenario("continue_as_new_boundaries", continue_as_new_boundaries, events_per_run=10),
]

# "A unit with a week of checks" goes here when the UnitWorkflow lands (see the docstring).
UNIT_SCENARIOS: list[Scenario] = []
