"""Reading about children, for a signed-in caller: the one gate every door goes through.

``open_placement`` decides whether the caller may read a view of one placement (their role
may read that view, and they work with the child: ``standings``, also while PostgreSQL does not
answer), and writes the read (allowed or refused, with a break-glass reason) to the access log
before anything is read;
``open_unit`` does the same for a unit's handover; ``open_view`` decides a read across
placements, whose lists hold only the children the caller may see. Each hands back a grant
whose methods are the only reads of that view, every answer redacted for the caller's role
(``redaction``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Unpack

from safeside.tokens import Principal
from starter.services import (
    access_log,
    audit_trail,
    lists,
    notices,
    philomena,
    placements,
    relationships,
    standings,
    today,
    units,
)
from starter.services.audit_trail import ChronologyPage
from starter.services.connection import Services
from starter.services.lists import DeadlineFilters, PlacementFilters
from starter.services.permissions import VIEWS, Denied, View, check_view, may_read
from starter.services.redaction import redacted_answer
from starter.services.standing import Relationship

# No hint of what exists: the same words for a child of another unit and for no child at all.
NOT_YOURS = "you do not work with this child: open their record only if you work with them"
NOT_YOUR_UNIT = "you do not work in this unit"


async def open_placement(
    services: Services, caller: Principal, view: View, placement_id: str
) -> PlacementRead:
    """Leave to read ``view`` of one placement: the read is in the access log, allowed or
    refused, before Denied (when refused) or anything is read. A placement the caller does not
    work with and one that does not exist are refused alike."""
    related = await standings.related(services, caller, placement_id)
    allowed = caller.role in VIEWS[view] and related.relationship is not None
    await access_log.record_read(
        services,
        access_log.read_by(
            caller,
            view.value,
            placement_id,
            allowed=allowed,
            break_glass_reason=related.break_glass_reason,
        ),
    )
    check_view(caller.role, view)
    if related.relationship is None:
        raise Denied(NOT_YOURS)
    return PlacementRead(services, caller, view, placement_id, related.relationship)


async def check_works_with(services: Services, caller: Principal, placement_id: str) -> None:
    """Before an action on a placement: Denied unless the caller works with the child now
    (overseeing is not acting)."""
    related = (await standings.related(services, caller, placement_id)).relationship
    if related is None or related is Relationship.oversight:
        raise Denied(NOT_YOURS)


async def open_unit(
    services: Services, caller: Principal, unit_id: str, view: View = View.unit_handover
) -> UnitRead:
    """Leave to read ``view`` of a unit (its handover, or act on the unit; its evidence and
    review): its own staff only, in a role that may read the view. The read is in the access
    log, allowed or refused, before anything is read."""
    allowed = caller.role in VIEWS[view] and await relationships.is_member(
        services.pool, caller, unit_id
    )
    await access_log.record_read(
        services, access_log.read_by(caller, view.value, None, allowed=allowed, unit_id=unit_id)
    )
    check_view(caller.role, view)
    if not allowed:
        raise Denied(NOT_YOUR_UNIT)
    return UnitRead(services, caller, view, unit_id)


def open_view(services: Services, caller: Principal, view: View) -> ViewRead:
    """Leave to read ``view`` across placements (or of a unit); Denied when refused."""
    check_view(caller.role, view)
    return ViewRead(services, caller, view)


@dataclass(frozen=True)
class _Grant:
    services: Services
    caller: Principal
    view: View

    def _require(self, view: View) -> None:
        if view is not self.view:  # a door's mistake, never a person's
            raise RuntimeError(f"leave to read the {self.view.value} does not read the {view}")

    def _redacted(self, answer: Any) -> Any:
        return redacted_answer(self.caller.role, answer)


@dataclass(frozen=True)
class PlacementRead(_Grant):
    placement_id: str
    # How the caller relates to the child: the Philomena Protocol profile reads whole for the
    # unit's own staff alone (``redaction``).
    relationship: Relationship

    def _redacted(self, answer: Any) -> Any:
        whole = self.relationship is Relationship.unit_staff
        return redacted_answer(self.caller.role, answer, whole_profile=whole)

    async def state(self) -> Any:
        """The live state, from the placement's workflow."""
        self._require(View.placement_state)
        client = self.services.client
        return self._redacted(await placements.current_state(client, self.placement_id))

    async def deadlines(self) -> Any:
        """The open deadlines as of now, soonest first, from the placement's workflow."""
        self._require(View.placement_deadlines)
        client = self.services.client
        return self._redacted(await placements.open_deadlines(client, self.placement_id))

    async def handover(self) -> Any:
        self._require(View.handover)
        return self._redacted(await placements.handover(self.services.client, self.placement_id))

    async def philomena_profile(self) -> Any:
        """The Philomena Protocol profile (part 1, and part 2 from the missing report)."""
        self._require(View.philomena_profile)
        return self._redacted(await philomena.philomena_sheet(self.services, self.placement_id))

    async def notices(self, *, after: str | None, limit: int) -> Any:
        """Every notice the placement's events owed, with its delivery, newest first."""
        self._require(View.notifications)
        services = self.services
        page = await notices.notices_owed(
            services.pool, services.settings, self.placement_id, after=after, limit=limit
        )
        return self._redacted(page)

    async def audit_trail(self, *, after_version: int, limit: int) -> Any:
        """The audit trail from PostgreSQL, in version order."""
        self._require(View.audit_trail)
        page = await audit_trail.audit_trail(
            self.services.pool, self.placement_id, after_version=after_version, limit=limit
        )
        return self._redacted(page)

    async def chronology(
        self, *, event_type: str | None, before_version: int | None, limit: int, known: bool
    ) -> Any:
        """The audit trail newest first. ``known``: the placement is known to exist (its
        workflow answered), so a trail with no entry yet is one whose first events are still
        on their way, not an unknown placement (PlacementNotFound)."""
        self._require(View.audit_trail)
        try:
            page = await audit_trail.chronology(
                self.services.pool,
                self.placement_id,
                event_type=event_type,
                before_version=before_version,
                limit=limit,
            )
        except placements.PlacementNotFound:
            if not known:
                raise
            page = ChronologyPage(
                placement_id=self.placement_id, entries=[], next_before_version=None
            )
        return self._redacted(page)


@dataclass(frozen=True)
class ViewRead(_Grant):
    async def _check_unit_filter(self, unit: str | None) -> None:
        """Listing by unit tells which children live there: only for the unit's own staff."""
        if unit is not None and not await relationships.is_member(
            self.services.pool, self.caller, unit
        ):
            raise Denied("you may list by unit only the units you work in")

    async def placements(self, **filters: Unpack[PlacementFilters]) -> Any:
        """Placements from the projections in id order, filtered, a page at a time."""
        self._require(View.placement_list)
        await self._check_unit_filter(filters.get("unit"))
        pool = self.services.pool
        return self._redacted(await lists.list_placements(pool, self.caller, **filters))

    async def deadlines(self, **filters: Unpack[DeadlineFilters]) -> Any:
        """Open deadlines of every open placement, soonest first, a page at a time."""
        self._require(View.deadline_list)
        await self._check_unit_filter(filters.get("unit"))
        pool = self.services.pool
        return self._redacted(await lists.list_deadlines(pool, self.caller, **filters))

    async def escalations(self, *, since: datetime, limit: int) -> Any:
        """Steps raised since ``since``, and escalations nobody has taken whose deadline is
        still open: those not taken first, then the newest (for deadline readers)."""
        self._require(View.deadline_list)
        pool = self.services.pool
        return self._redacted(
            await today.recent_escalations(pool, self.caller, since=since, limit=limit)
        )

    async def unit_checks(self, *, limit: int) -> Any:
        """Each unit with children living in it, and its next whereabouts check (R4)."""
        self._require(View.unit_handover)
        unit_ids = await today.units_with_children(self.services.pool, self.caller, limit=limit)
        return self._redacted(await today.next_unit_checks(self.services.client, unit_ids))

    async def access_log(self, *, placement: str | None, after: int, limit: int) -> Any:
        """Every read of a placement (allowed or refused), oldest first, a page at a time."""
        self._require(View.access_log)
        page = await access_log.list_access_log(
            self.services.pool, placement_id=placement, after=after, limit=limit
        )
        return self._redacted(page)


@dataclass(frozen=True)
class UnitRead(_Grant):
    unit_id: str

    async def handover(self) -> Any:
        """The unit's handover view (R16): each resident child and the unit's own duties."""
        self._require(View.unit_handover)
        return self._redacted(await units.unit_handover(self.services.client, self.unit_id))

    async def display_name(self) -> str | None:
        """The unit's name ("Birch House"), shown to its own staff only."""
        name: str | None = await self.services.pool.fetchval(
            "SELECT display_name FROM org_units WHERE unit_id = $1", self.unit_id
        )
        return name


# What the access log calls a read of a missing child's panel on Today.
MISSING_ALERT = "missing_alert"


async def missing_now(services: Services, caller: Principal, *, limit: int) -> Any:
    """Children missing now, for every staff role (the unit of one is location); the police's
    notice only for those who may read who was told."""
    found = await today.missing_now(
        services.pool, caller, limit=limit, with_notices=may_read(caller.role, View.notifications)
    )
    # Each child's panel shows what the police are handed (where last seen, circumstances,
    # clothing): a read of that child's record, in the access log like any other.
    for child in found:
        await access_log.record_read(
            services, access_log.read_by(caller, MISSING_ALERT, child.placement_id, allowed=True)
        )
    return redacted_answer(caller.role, found)
