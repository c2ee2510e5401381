"""Missing from care (R4, R5): the report, who is told of it, and the ladder while the child
is missing."""

from tests.unit.domain.builders import (
    ARRIVED,
    HOUR,
    KEY_WORKER,
    NOW,
    PLACE,
    POLICY,
    apply,
    decided,
    missing,
    record_return,
    refusal,
    report_missing,
    run_clock,
    started,
    steps_for,
)
from tests.unit.domain.missing_builders import DAY, interview, returned
from workflows.domain.commands import EndPlacement
from workflows.domain.common import MissingKind, Role
from workflows.domain.deadlines import due
from workflows.domain.events import DeadlineMissed
from workflows.domain.notices import notices_for
from workflows.domain.protection_events import MissingReported
from workflows.domain.summary import handover_summary

# Reporting


def test_a_missing_report_opens_an_episode_with_a_deterministic_id() -> None:
    (event,) = decided(started(), report_missing())
    assert isinstance(event, MissingReported)
    assert event.episode_id == "pl-0001-M1"
    assert event.last_seen_place_reference == PLACE
    assert event.clothing_reference == "PHIL-2-0042"
    state = missing()
    episode = state.open_episode()
    assert episode is not None
    assert (episode.kind, episode.reported_at) == (MissingKind.missing, NOW)


def test_the_state_keeps_no_place_so_no_query_can_show_it() -> None:
    state = apply(returned(), interview(), now=NOW + 31 * HOUR)
    assert PLACE not in state.model_dump_json()
    assert PLACE not in handover_summary(state, NOW, POLICY).model_dump_json()


def test_a_second_open_episode_is_refused() -> None:
    assert refusal(missing(), report_missing(), now=NOW + HOUR) == (
        "the child is already recorded as missing or away: record their return "
        "before reporting a new episode"
    )


def test_after_a_return_a_new_episode_gets_the_next_number() -> None:
    state = returned()
    (event,) = decided(state, report_missing(last_seen_at=NOW + 20 * HOUR), now=NOW + 21 * HOUR)
    assert isinstance(event, MissingReported)
    assert event.episode_id == "pl-0001-M2"


def test_the_police_need_the_last_seen_place() -> None:
    assert refusal(started(), report_missing(last_seen_place_reference="  ")) == (
        "say where the child was last seen (a reference to the place, for the police)"
    )


def test_the_circumstances_are_required() -> None:
    assert refusal(started(), report_missing(circumstances=None)) == (
        "describe the circumstances in which the child went missing"
    )


def test_a_missing_child_needs_the_clothing_of_the_philomena_protocol_part_2() -> None:
    message = refusal(started(), report_missing(clothing_reference=""))
    assert message.startswith("say what the child was wearing")
    assert "Philomena Protocol part 2" in message


def test_known_whereabouts_mean_away_without_authorisation_not_missing() -> None:
    assert refusal(started(), report_missing(known_whereabouts_reference="WB-1")) == (
        "a child whose whereabouts are known is away without authorisation, "
        "not missing: report the episode as away_without_authorisation"
    )


def test_away_without_authorisation_needs_the_known_whereabouts() -> None:
    command = report_missing(kind=MissingKind.away_without_authorisation, clothing_reference=None)
    assert refusal(started(), command).startswith(
        "a child away without authorisation has known whereabouts"
    )


def test_away_without_authorisation_is_accepted_with_whereabouts() -> None:
    command = report_missing(
        kind=MissingKind.away_without_authorisation,
        clothing_reference=None,
        known_whereabouts_reference="WB-17",
    )
    state = apply(started(), command)
    summary = handover_summary(state, NOW, POLICY)
    assert (summary.missing, summary.away_without_authorisation) == (False, True)


def test_a_last_sighting_in_the_future_or_before_arrival_is_refused() -> None:
    future = refusal(started(), report_missing(last_seen_at=NOW + HOUR))
    assert (
        future == "the time of the last sighting is in the future: record it once it has happened"
    )
    before = refusal(started(), report_missing(last_seen_at=ARRIVED - HOUR))
    assert before == "the last sighting cannot be before the child arrived: check the date and time"


def test_an_overlong_place_is_refused_without_repeating_it() -> None:
    message = refusal(started(), report_missing(last_seen_place_reference=PLACE * 10))
    assert message.startswith("the last-seen place reference is longer than 128 characters")
    assert PLACE not in message


def test_nothing_is_reported_on_an_ended_placement() -> None:
    state = apply(started(), EndPlacement(actor=KEY_WORKER, reason="moved", ended_at=NOW))
    assert refusal(state, report_missing()) == (
        "this placement has ended: nothing more can be recorded on it"
    )


# Who is told


def test_a_report_tells_police_ukvi_social_worker_authority_managers_and_ofsted() -> None:
    state = started(ukvi_relevant=True)
    (event,) = decided(state, report_missing())
    notices = {n.recipient: n.purpose for n in notices_for(missing(state), event)}
    assert notices == {
        Role.police: "missing_children_proforma",
        Role.social_worker: "missing_reported",
        Role.placing_authority: "missing_reported",
        Role.duty_manager: "missing_reported",
        Role.registered_manager: "missing_reported",
        Role.ofsted: "reg40_police_involved",
        Role.ukvi: "missing_reported",
    }


def test_ukvi_is_not_told_where_immigration_is_not_relevant() -> None:
    state = started(ukvi_relevant=False)
    (event,) = decided(state, report_missing())
    assert Role.ukvi not in {n.recipient for n in notices_for(missing(state), event)}


def test_the_return_is_shared_with_the_police_and_the_people_told_of_the_report() -> None:
    (event,) = decided(missing(), record_return(), now=NOW + 10 * HOUR)
    assert {n.recipient for n in notices_for(returned(), event)} == {
        Role.police,
        Role.social_worker,
        Role.placing_authority,
        Role.duty_manager,
        Role.registered_manager,
        Role.ukvi,
    }


# The ladder while missing


def test_while_missing_the_escalation_repeats_daily_climbing_until_the_return() -> None:
    state, events = run_clock(missing(), NOW, NOW + 5 * DAY + HOUR)
    assert steps_for(events, "missing_episode:1") == [
        ("duty_manager", Role.duty_manager),
        ("registered_manager", Role.registered_manager),
        ("placing_authority", Role.placing_authority),
        ("placing_authority", Role.placing_authority),
        ("placing_authority", Role.placing_authority),
    ]
    times = [e.occurred_at for e in events if getattr(e, "deadline_id", "") == "missing_episode:1"]
    assert times == [NOW + n * DAY for n in range(1, 6)]
    # A watch, not a deadline: nothing is ever recorded as missed.
    assert not any(isinstance(e, DeadlineMissed) and e.kind == "missing_episode" for e in events)

    state = apply(state, record_return(returned_at=NOW + 5 * DAY), now=NOW + 5 * DAY + 2 * HOUR)
    _, later = run_clock(state, NOW + 5 * DAY + 2 * HOUR, NOW + 20 * DAY)
    assert steps_for(later, "missing_episode:1") == []


def test_the_open_episode_shows_its_next_escalation() -> None:
    (watch,) = [d for d in due(missing(), NOW, POLICY) if d.deadline_id == "missing_episode:1"]
    assert (watch.next_step_name, watch.next_step_at) == ("duty_manager", NOW + DAY)
    state, _ = run_clock(missing(), NOW, NOW + 4 * DAY)
    (watch,) = [d for d in due(state, NOW + 4 * DAY, POLICY) if d.kind == "missing_episode"]
    assert (watch.next_step_index, watch.next_step_at) == (4, NOW + 5 * DAY)


def test_the_watch_on_an_open_episode_is_never_overdue() -> None:
    # Nobody is late while a child is missing: the ladder says who is told next, and when.
    for now in (NOW, NOW + HOUR, NOW + 3 * DAY):
        (watch,) = [d for d in due(missing(), now, POLICY) if d.kind == "missing_episode"]
        assert (watch.watch, watch.overdue) == (True, False)
    summary = handover_summary(missing(), NOW + HOUR, POLICY)
    assert "missing_episode" not in {d.kind for d in summary.overdue_deadlines}


def test_the_handover_shows_the_child_missing_since_the_report() -> None:
    summary = handover_summary(missing(), NOW + HOUR, POLICY)
    assert (summary.missing, summary.missing_episode_id, summary.missing_since) == (
        True,
        "pl-0001-M1",
        NOW,
    )
