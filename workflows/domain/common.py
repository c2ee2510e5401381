"""Small types shared by events, commands, state and policy."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from workflows.domain.errors import DomainError

LONDON = ZoneInfo("Europe/London")

# Placement and unit ids appear in workflow ids and log lines, so they are restricted to
# characters that cannot smuggle in a name or an address.
OPAQUE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$"
OpaqueId = Annotated[str, StringConstraints(pattern=OPAQUE_ID_PATTERN)]

# A reference to a person, case or document held elsewhere (never the thing itself).
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
NonEmptyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# A note kept in an event: short, with the detail in the log book or the case file.
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
# Every text a command carries is bounded: the command and its events travel to Temporal as
# payloads (2 MB at most), and one too large fails the workflow task on every retry, which
# stops the placement's clocks.
MAX_TEXT_LENGTH = 10_000
# A number counted from 1: a stream's version, an episode's or a check's number.
Ordinal = Annotated[int, Field(ge=1)]


class Role(StrEnum):
    residential_worker = "residential_worker"
    key_worker = "key_worker"
    duty_manager = "duty_manager"
    registered_manager = "registered_manager"
    social_worker = "social_worker"
    independent_reviewing_officer = "independent_reviewing_officer"
    auditor = "auditor"
    # Keeps the organisation's data (units, staff, memberships, allocations); reads no child.
    administrator = "administrator"
    police = "police"
    ukvi = "ukvi"
    placing_authority = "placing_authority"
    host_local_authority = "host_local_authority"
    interpreting_service = "interpreting_service"
    nrm = "nrm"
    ofsted = "ofsted"
    # The deadline clock itself: the actor of DeadlineMissed and EscalationRaised, so the
    # audit trail never attributes an automatic escalation to a person.
    system = "system"


class RiskLevel(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class DeadlineKind(StrEnum):
    """The statutory and practice clocks a placement runs."""

    leaflet = "leaflet"
    missing_procedures = "missing_procedures"
    risk_assessment = "risk_assessment"
    planning_meeting = "planning_meeting"
    lac_review = "lac_review"
    sw_visit = "sw_visit"
    risk_review = "risk_review"
    nrm_referral = "nrm_referral"
    # R5: not a deadline but a watch: while a child is missing the ladder repeats until return.
    missing_episode = "missing_episode"
    return_interview = "return_interview"
    # R6, R12, R18: every restriction is temporary, so its review date is a clock.
    restriction_review = "restriction_review"
    contact_assessment = "contact_assessment"


class MissingKind(StrEnum):
    """SSDA903 codes M and A: whereabouts unknown, or known but away without permission."""

    missing = "missing"
    away_without_authorisation = "away_without_authorisation"


class PoliceRiskGrade(StrEnum):
    """The police grade a missing report on a continuum (no apparent risk = "absent")."""

    no_apparent_risk = "no_apparent_risk"
    low = "low"
    medium = "medium"
    high = "high"


class RestrictionKind(StrEnum):
    internet = "internet"  # R12: internet and social media restricted or supervised
    supervision = "supervision"  # R6: advised not to go out unsupervised
    contact = "contact"  # R18: contact restricted by the Registered Manager


class EnquiryChannel(StrEnum):
    phone = "phone"
    in_person = "in_person"
    online = "online"


class ContactOutcome(StrEnum):
    safe = "safe"
    not_safe = "not_safe"


# Event fields that say where a child was or is: the place last seen, known whereabouts, where
# found, and the free-text circumstances that may name a place. They stay in the audit trail
# and reach only the roles below (the Missing Children's Proforma goes to the police); never
# the state, a query, a log line, an error message or another role's notification.
LOCATION_FIELDS = frozenset(
    {
        "last_seen_place_reference",
        "known_whereabouts_reference",
        "where_found_reference",
        "circumstances",
    }
)
LOCATION_ENTITLED_ROLES = frozenset({Role.police})


def utc(dt: datetime) -> datetime:
    """The same instant in UTC; a time without a zone is refused because it is ambiguous."""
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        raise DomainError("a time was given without a time zone: give it in UTC or with an offset")
    return dt.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(utc)]


class Actor(BaseModel):
    """Who did something: a role and an opaque reference to the person, never a name."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Role
    reference: Reference


CLOCK_ACTOR = Actor(role=Role.system, reference="safeside-deadline-clock")
