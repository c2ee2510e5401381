"""The representative stories whose Temporal histories are saved under ``histories/``.

Each scenario drives a PlacementWorkflow on the time-skipping server with in-memory
activities (``tests.support.fake_activities``) and returns when its work has settled. The
recorder (``record_histories.py``) saves every run of the workflow (a continue-as-new starts a
new run, with a history of its own) as ``<scenario>.run<N>.json``.

A ``UnitScenario`` drives a UnitWorkflow the same way (with its residents' placements); only
the unit's own history is saved. The recorder and the replay test pick up every file under
``histories/`` whatever workflow it belongs to.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from tests.support import placements
from tests.support.fake_activities import FakeActivities
from tests.support.placements import KEY_WORKER, MANAGER, SOCIAL_WORKER
from tests.support.running import Running
from tests.support.units import RunningUnit, until
from workflows.domain.commands import (
    ImposeRestriction,
    RecordMissingProceduresExplained,
    RecordPhoneReleaseConfirmed,
)
from workflows.domain.common import RestrictionKind, RiskLevel
from workflows.domain.unit.events import Whereabouts

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
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
    await p.record(placements.leaflet(await p.now()))


async def end(p: Running) -> None:
    await p.record(placements.end(await p.now()))
    await p.handle.result()


async def quiet_placement(p: Running) -> None:
    """Arrival work done on time, a few quiet days, then the child moves on."""
    await leaflet(p)
    await p.record(RecordMissingProceduresExplained(actor=KEY_WORKER, explained_at=await p.now()))
    await p.record(placements.assessment(await p.now(), RiskLevel.high))
    await p.env.sleep(2 * DAY)
    await p.settled()
    await end(p)


async def missing_episode(p: Running) -> None:
    """The child goes missing: the police are told, the ladder climbs daily to the placing
    authority and repeats, the child returns, the Return Home Interview is held."""
    await leaflet(p)
    await p.record(placements.report_missing(await p.now() - MINUTE))
    await p.env.sleep(4 * DAY + MINUTE)
    await p.settled()
    await p.record(placements.record_return(await p.now()))
    await p.env.sleep(DAY)
    await p.record(placements.return_interview(f"{p.placement_id}-M1", await p.now()))
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
    await p.record(placements.propose_visitor("VIS-1"))
    now = await p.now()
    await p.record(placements.verify_visitor("VIS-1", now))
    await p.record(placements.visit_by("VIS-1", now))
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


@dataclass(frozen=True)
class UnitScenario:
    name: str
    story: Callable[[RunningUnit], Awaitable[None]]
    unreachable: frozenset[str] = field(default_factory=frozenset)


async def a_unit_day(unit: RunningUnit) -> None:
    """Two children arrive; checks on time, then one missed: both managers are told, the
    Registered Manager's channel stays down until the notice is given up on (and the Duty
    Manager told of that); the child not seen at the next check starts their placement's
    missing procedure; the events are stored in batches."""
    first = await unit.admit(RiskLevel.medium)
    await unit.admit(RiskLevel.high)
    for _ in range(3):
        await unit.env.sleep(25 * MINUTE)
        await unit.check()
    await unit.env.sleep(3 * HOUR)

    async def given_up() -> bool | None:
        return "notification_failed" in unit.stored_types() or None

    await until(given_up)
    await unit.check(**{first: Whereabouts.not_seen})
    await unit.env.sleep(2 * MINUTE)


UNIT_SCENARIOS = [
    UnitScenario("a_unit_day", a_unit_day, unreachable=frozenset({"registered_manager"})),
]
