"""One child's story with a marker planted in every free-text and reference field the domain's
commands take (``MK<nn>-<field>``, each distinct) and in the date of birth, in a unit of the
test's own, told through the API by the people who work with the child; and the allow-list
questions the tests ask of an answer: which markers reached a role whose allow-list
(``safeside.need_to_know``) does not name the marker's field."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from safeside import need_to_know as allow_list
from safeside.db import Pool
from safeside.redact import REDACTED
from tests.integration.security.matrix import ADMINISTRATOR, IRO_REF, RELATED, Person
from tests.support.organisation import given_unit_with_staff
from tests.support.placements import new_placement_id
from tests.support.starter import eventually, trail_length
from workflows.domain.common import Role

R = Role
KW, RM, DM = RELATED[R.key_worker], RELATED[R.registered_manager], RELATED[R.duty_manager]
SW, IRO = RELATED[R.social_worker], RELATED[R.independent_reviewing_officer]


@dataclass
class Markers:
    """Marker value -> the field it was planted in; a date marker is also found as a page or
    a return writes it (``spellings``)."""

    fields: dict[str, str] = field(default_factory=dict)
    spellings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __call__(self, field_name: str, suffix: str = "") -> str:
        value = f"MK{next(self._numbers):02d}-{field_name}{suffix}"
        self.fields[value] = field_name
        return value

    def day(self, field_name: str, day: date) -> str:
        """A date planted in ``field_name`` (a date no other field holds), found written as
        ISO, as dd/mm/yyyy (the SSDA903 return) or in words ("23 July 2011")."""
        value = day.isoformat()
        self.fields[value] = field_name
        self.spellings[value] = (value, f"{day:%d/%m/%Y}", f"{day.day} {day:%B %Y}")
        return value

    def _found(self, marker: str, text: str) -> bool:
        return any(spelling in text for spelling in self.spellings.get(marker, (marker,)))

    def leaked(self, role: Role, text: str) -> list[str]:
        """The markers in ``text`` whose field ``role`` may not see."""
        return [
            f"{marker} ({field_name})"
            for marker, field_name in self.fields.items()
            if self._found(marker, text) and not allow_list.may_see(role, field_name)
        ]

    def visible_to(self, role: Role) -> set[str]:
        return {m for m, f in self.fields.items() if allow_list.may_see(role, f)}

    def planted_in(self, group: allow_list.FieldGroup) -> set[str]:
        """The markers planted in the fields of ``group``."""
        return {m for m, f in self.fields.items() if f in allow_list.FIELDS[group]}

    def in_(self, text: str) -> set[str]:
        return {m for m in self.fields if self._found(m, text)}


@dataclass
class Story:
    placement_id: str
    unit_id: str
    markers: Markers
    version: int


NOW = object()  # in a step's body: the time the step is sent
# The child's date of birth: a day no other field of the story holds.
DATE_OF_BIRTH = date(2011, 7, 23)


def _ago(minutes: float) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


async def tell_story(api: httpx.AsyncClient, pool: Pool) -> Story:
    """Start the child in a new unit (staff-01 and staff-17 its members), allocate the IRO,
    and record every action with markers, each by the person whose role records it."""
    m = Markers()
    unit_id = m("unit_id", f"-{uuid.uuid4().hex[:6]}")  # a unit's workflow outlives a test
    await given_unit_with_staff(pool, unit_id)
    placement_id = new_placement_id()
    language = m("first_language")
    facts = {
        "placement_id": placement_id, "case_reference": m("case_reference"),
        "unit_id": unit_id, "first_language": language,
        "looked_after_since": (datetime.now(UTC) - timedelta(days=3)).date().isoformat(),
        "arrived_at": _ago(180), "placing_authority": m("placing_authority"),
        "social_worker_reference": SW.subject, "initial_risk_level": "high",
        "ukvi_relevant": True, "date_of_birth": m.day("date_of_birth", DATE_OF_BIRTH),
        "age_disputed": True, "age_assessment": "in_progress",
    }  # fmt: skip
    started = await api.post("/placements", json=facts, headers=RM.bearer)
    assert started.status_code == 201, started.text
    allocated = await api.post(
        f"/placements/{placement_id}/allocations",
        json={"role": "independent_reviewing_officer", "staff_ref": IRO_REF},
        headers=RM.bearer,
    )
    assert allocated.status_code == 200, allocated.text
    visitor, contact = m("visitor_reference"), m("contact_person_reference")
    steps: list[tuple[Person, str, dict[str, Any]]] = [
        (KW, "leaflet-delivered", {"language": language,
                                   "interpreter_reference": m("interpreter_reference"),
                                   "child_understanding": m("child_understanding"),
                                   "delivered_at": _ago(170)}),
        (KW, "missing-procedures-explained", {"explained_at": _ago(169),
                                              "interpreter_reference": m("interpreter_reference")}),
        (KW, "risk-assessment", {"level": "medium", "factors": [m("factors")],
                                 "child_participated": True, "child_views": m("child_views"),
                                 "assessed_at": _ago(168)}),
        (KW, "planning-meeting", {"held_at": _ago(167), "young_person_present": False,
                                  "absence_reason": m("absence_reason"),
                                  "child_views": m("child_views")}),
        (IRO, "looked-after-review", {"held_at": _ago(166),
                                      "chaired_by_iro_reference": m("chaired_by_iro_reference"),
                                      "child_views": m("child_views")}),
        (SW, "social-worker-visit", {"visited_at": _ago(165), "child_seen_alone": True,
                                     "social_worker_reference": m("social_worker_reference")}),
        (SW, "nrm-referral", {"referred_at": _ago(164),
                              "referral_reference": m("referral_reference")}),
        (KW, "change-risk-level", {"to_level": "high", "reason": m("reason")}),
        (KW, "observation", {"category": m("category"),
                             "note_reference_or_text": m("note_reference_or_text"),
                             "observed_at": _ago(163)}),
        (KW, "enquiry", {"channel": "phone", "enquirer_reference": m("enquirer_reference"),
                         "question": m("question"), "received_at": _ago(162)}),
        (KW, "suspicious-activity", {"category": "waiting_car",
                                     "note_reference_or_text": m("note_reference_or_text"),
                                     "observed_at": _ago(161)}),
        (KW, "philomena-profile", {"physical_description": m("physical_description"),
                                   "photograph_references": [m("photograph_references")],
                                   "clothing_references": [m("clothing_references")],
                                   "known_associate_references":
                                       [m("known_associate_references")],
                                   "known_place_references": [m("known_place_references")]}),
        (KW, "report-missing", {"kind": "missing", "last_seen_at": _ago(160),
                                "last_seen_place_reference": m("last_seen_place_reference"),
                                "circumstances": m("circumstances"),
                                "clothing_reference": m("clothing_reference"),
                                "description_reference": m("description_reference"),
                                "unit_check_reference": m("unit_check_reference")}),
        (KW, "return", {"returned_at": _ago(150), "found_by_reference": m("found_by_reference"),
                        "where_found_reference": m("where_found_reference")}),
        (DM, "police-acknowledgement", {"episode_id": f"{placement_id}-M1",
                                        "police_acknowledged_at": _ago(155),
                                        "police_reference": m("police_reference")}),
        (SW, "return-interview", {"episode_id": f"{placement_id}-M1", "held_at": _ago(149),
                                  "interviewer_reference": m("interviewer_reference"),
                                  "child_views": m("child_views")}),
        (KW, "report-missing", {"kind": "away_without_authorisation", "last_seen_at": _ago(140),
                                "last_seen_place_reference": m("last_seen_place_reference"),
                                "circumstances": m("circumstances"),
                                "known_whereabouts_reference": m("known_whereabouts_reference")}),
        (KW, "return", {"returned_at": _ago(130), "found_by_reference": m("found_by_reference"),
                        "where_found_reference": m("where_found_reference")}),
        (KW, "propose-visitor", {"visitor_reference": visitor,
                                 "stated_relationship": m("stated_relationship")}),
        (SW, "visitor-verified", {"visitor_reference": visitor, "interviewed_at": _ago(120),
                                  "identity_established": True,
                                  "relationship_established": True,
                                  "police_check_reference": m("police_check_reference"),
                                  "immigration_check_reference":
                                      m("immigration_check_reference")}),
        (KW, "visit", {"visitor_reference": visitor, "visited_at": _ago(119)}),
        (KW, "unverified-visit-attempt", {"visitor_reference": m("visitor_reference"),
                                          "attempted_at": _ago(118)}),
        (KW, "request-contact-assessment", {"contact_person_reference": contact,
                                            "relationship": m("relationship")}),
        # After the request, which is timed when it is recorded: these take their time then.
        (SW, "contact-assessment", {"contact_person_reference": contact, "outcome": "safe",
                                    "assessed_at": NOW,
                                    "assessment_reference": m("assessment_reference")}),
        (KW, "family-contact", {"contact_person_reference": contact, "means": "phone",
                                "contact_at": NOW}),
        (RM, "impose-restriction", {"kind": "contact", "reason": m("reason"),
                                    "starts_at": _ago(100),
                                    "contact_person_references":
                                        [m("contact_person_references")]}),
        (RM, "renew-restriction", {"kind": "contact", "reason": m("reason")}),
        (DM, "impose-restriction", {"kind": "internet", "reason": m("reason"),
                                    "starts_at": _ago(90)}),
        (DM, "lift-restriction", {"kind": "internet", "reason": m("reason"),
                                  "lifted_at": _ago(80)}),
    ]  # fmt: skip
    version = 0
    for person, action, body in steps:
        body = {key: _ago(0) if value is NOW else value for key, value in body.items()}
        answer = await api.post(
            f"/placements/{placement_id}/actions/{action}", json=body, headers=person.bearer
        )
        assert answer.status_code == 200, (person, action, answer.text)
        version = answer.json()["version"]
    version = await _unit_duties(api, m, unit_id, placement_id, version)
    await eventually(lambda: _stored(pool, placement_id, version), within=30)
    return Story(placement_id, unit_id, m, version)


async def _unit_duties(
    api: httpx.AsyncClient, m: Markers, unit_id: str, placement_id: str, version: int
) -> int:
    """The unit's own records, with markers; a building check's concern about the child
    reaches the child's record (R7): the placement's version it then has."""
    duties = [
        ("handover/acknowledgements", {"acknowledged_at": _ago(5),
                                       "handed_over_by_reference": m("handed_over_by_reference")}),
        ("house-meetings", {"held_at": _ago(4), "phones_discussed": True,
                            "topics": [m("topics")]}),
        ("building-checks", {"checked_at": _ago(3), "concerns": [
            {"category": "person_outside", "placement_id": placement_id,
             "note_reference_or_text": m("note_reference_or_text")}]}),
    ]  # fmt: skip
    for path, body in duties:
        answer = await api.post(f"/units/{unit_id}/{path}", json=body, headers=KW.bearer)
        assert answer.status_code == 200, (path, answer.text)

    async def concern_reached() -> bool:
        state = await api.get(f"/placements/{placement_id}", headers=KW.bearer)
        return bool(state.json()["version"] > version)

    await eventually(concern_reached, within=30)
    state = await api.get(f"/placements/{placement_id}", headers=KW.bearer)
    reached: int = state.json()["version"]
    return reached


async def _stored(pool: Pool, placement_id: str, version: int) -> bool:
    return await trail_length(pool, placement_id) >= version


def unredacted_hidden_fields(role: Role, answer: Any, path: str = "") -> list[str]:
    """Where ``answer`` (JSON) shows a value under a key the role's allow-list does not name:
    every such value must read ``[redacted]`` (or be empty)."""
    visible = allow_list.visible_fields(role)
    found: list[str] = []
    if isinstance(answer, dict):
        for key, value in answer.items():
            where = f"{path}.{key}"
            empty = value is None or (isinstance(value, str | list | dict) and not value)
            if key not in visible and not empty and value != REDACTED:
                found.append(where)
            elif key in visible:
                found.extend(unredacted_hidden_fields(role, value, where))
    elif isinstance(answer, list):
        for index, item in enumerate(answer):
            found.extend(unredacted_hidden_fields(role, item, f"{path}[{index}]"))
    return found


EVERYONE = [*RELATED.values(), ADMINISTRATOR]
