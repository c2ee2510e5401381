"""A caller's relationship to one placement, decided in Python from their standing by the rules
of ``starter.services.relationships``: the same for a fresh standing and for one PostgreSQL gave
a while ago, judged at the time now (``starter.services.standing``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from safeside.tokens import Principal
from starter.services.standing import BreakGlassOpening, Membership, Relationship, Standing
from workflows.domain.common import Role

R = Role
SAID_AT = datetime(2026, 11, 27, 21, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
PLACEMENT, OTHER_PLACEMENT = "PL-1", "PL-2"


def standing(
    role: Role,
    *,
    in_directory: bool = True,
    memberships: tuple[Membership, ...] = (),
    allocated: frozenset[str] = frozenset(),
    break_glass: tuple[BreakGlassOpening, ...] = (),
) -> Standing:
    return Standing(
        caller=Principal(subject="staff-x", role=role),
        in_directory=in_directory,
        memberships=memberships,
        allocated=allocated,
        break_glass=break_glass,
        said_at=SAID_AT,
    )


def member(unit_id: str = "UNIT-7", *, since: timedelta = HOUR, until: datetime | None = None):
    return Membership(unit_id=unit_id, from_at=SAID_AT - since, until_at=until)


def opening(id_: int, *, expires_in: timedelta, reason: str = "covering tonight"):
    return BreakGlassOpening(
        id=id_, placement_id=PLACEMENT, expires_at=SAID_AT + expires_in, reason=reason
    )


def test_the_auditor_oversees_every_placement_with_no_standing_at_all() -> None:
    auditor = standing(R.auditor, in_directory=False)
    assert auditor.relationship(PLACEMENT, None, SAID_AT) is Relationship.oversight


def test_unit_staff_see_the_children_of_the_units_they_work_in_now() -> None:
    for role in (R.residential_worker, R.key_worker, R.duty_manager, R.registered_manager):
        worker = standing(role, memberships=(member("UNIT-7"),))
        assert worker.relationship(PLACEMENT, "UNIT-7", SAID_AT) is Relationship.unit_staff
        assert worker.relationship(PLACEMENT, "UNIT-8", SAID_AT) is None


def test_a_child_who_lives_nowhere_known_and_a_stranger_s_child_are_refused_alike() -> None:
    worker = standing(R.key_worker, memberships=(member("UNIT-7"),))
    assert worker.relationship("PL-NOBODY", None, SAID_AT) is None
    assert worker.relationship(PLACEMENT, "UNIT-8", SAID_AT) is None


def test_a_membership_counts_only_from_its_start_until_its_end() -> None:
    starts_later = standing(R.key_worker, memberships=(member(since=-HOUR),))
    assert starts_later.relationship(PLACEMENT, "UNIT-7", SAID_AT) is None
    assert starts_later.relationship(PLACEMENT, "UNIT-7", SAID_AT + 2 * HOUR) is not None
    ending = standing(R.key_worker, memberships=(member(until=SAID_AT + HOUR),))
    assert ending.relationship(PLACEMENT, "UNIT-7", SAID_AT) is Relationship.unit_staff
    assert ending.relationship(PLACEMENT, "UNIT-7", SAID_AT + HOUR) is None


def test_unit_staff_need_the_directory_to_give_them_their_role() -> None:
    removed = standing(R.key_worker, in_directory=False, memberships=(member(),))
    assert removed.relationship(PLACEMENT, "UNIT-7", SAID_AT) is None


def test_a_role_that_is_not_a_unit_role_sees_nothing_through_a_membership() -> None:
    social_worker = standing(R.social_worker, memberships=(member(),))
    assert social_worker.relationship(PLACEMENT, "UNIT-7", SAID_AT) is None
    assert not social_worker.works_in_a_unit(SAID_AT)


def test_allocated_staff_see_the_placements_allocated_to_them() -> None:
    for role in (R.social_worker, R.independent_reviewing_officer, R.key_worker):
        allocated = standing(role, allocated=frozenset({PLACEMENT}))
        assert allocated.relationship(PLACEMENT, "UNIT-7", SAID_AT) is Relationship.allocated
        assert allocated.relationship(OTHER_PLACEMENT, "UNIT-7", SAID_AT) is None


def test_an_allocation_counts_without_the_directory_as_the_list_condition_says() -> None:
    # relationships._ALLOCATED_NOW asks nothing of the directory: the two ways agree.
    allocated = standing(R.social_worker, in_directory=False, allocated=frozenset({PLACEMENT}))
    assert allocated.relationship(PLACEMENT, None, SAID_AT) is Relationship.allocated


def test_working_in_the_unit_comes_before_an_allocation_and_a_break_glass_opening() -> None:
    both = standing(
        R.key_worker,
        memberships=(member(),),
        allocated=frozenset({PLACEMENT}),
        break_glass=(opening(1, expires_in=HOUR),),
    )
    assert both.relationship(PLACEMENT, "UNIT-7", SAID_AT) is Relationship.unit_staff
    assert both.relationship(PLACEMENT, "UNIT-8", SAID_AT) is Relationship.allocated


def test_break_glass_opens_one_child_until_it_runs_out_with_its_latest_reason() -> None:
    manager = standing(
        R.duty_manager,
        break_glass=(
            opening(4, expires_in=HOUR, reason="first"),
            opening(9, expires_in=2 * HOUR, reason="second"),
        ),
    )
    assert manager.relationship(PLACEMENT, "UNIT-8", SAID_AT) is Relationship.break_glass
    assert manager.relationship(OTHER_PLACEMENT, "UNIT-8", SAID_AT) is None
    latest = manager.opening(PLACEMENT, SAID_AT)
    assert latest is not None
    assert latest.reason == "second"
    # Judged later (a standing remembered through an outage): an opening past its expiry
    # never counts.
    assert manager.relationship(PLACEMENT, "UNIT-8", SAID_AT + 2 * HOUR) is None


def test_break_glass_needs_the_directory_to_give_the_manager_their_role() -> None:
    removed = standing(
        R.duty_manager, in_directory=False, break_glass=(opening(1, expires_in=HOUR),)
    )
    assert removed.relationship(PLACEMENT, "UNIT-8", SAID_AT) is None
    assert removed.opening(PLACEMENT, SAID_AT) is None


def test_whether_a_placement_s_home_is_needed_at_all() -> None:
    assert standing(R.key_worker, memberships=(member(),)).works_in_a_unit(SAID_AT)
    assert not standing(R.key_worker).works_in_a_unit(SAID_AT)
    ended = standing(R.key_worker, memberships=(member(until=SAID_AT),))
    assert not ended.works_in_a_unit(SAID_AT)
