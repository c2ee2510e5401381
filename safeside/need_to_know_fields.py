"""The fields of a child's record, by need-to-know group (``need_to_know`` says which roles
see each group). Every answer about a child is JSON whose keys are the domain models' field
names, so the groups list field names; a key in no group is seen by nobody."""

from __future__ import annotations

from enum import StrEnum

from safeside.need_to_know_adoption import ADOPTION_FIELDS
from workflows.domain.common import LOCATION_FIELDS


class FieldGroup(StrEnum):
    structure = "structure"
    coded = "coded"
    free_text = "free_text"
    references = "references"
    identifying = "identifying"
    readers = "readers"
    location = "location"
    unit = "unit"
    philomena = "philomena"


FIELDS: dict[FieldGroup, frozenset[str]] = {
    # What kind of record, its place in the stream, when, by which role, and the containers
    # that hold the rest (each opened only for a role that sees it: ``redaction``). Ids are
    # opaque: a placement's, an episode's ("<placement>-M1"), a deadline's, a notification's
    # ("<placement>:<version>:<role>").
    FieldGroup.structure: frozenset(
        {
            "type",
            "event_type",
            "version",
            "schema_version",
            "stream_id",
            "placement_id",
            "episode_id",
            "missing_episode_id",
            "deadline_id",
            "id",
            "what",
            "actor",
            "role",
            "actor_role",
            "status",
            "details",
            "entries",
            "items",
            "facts",
            "summary",
            "next_after",
            "next_after_version",
            "next_before_version",
            "missing_episodes",
            "visitors",
            "restrictions",
            "contact_assessments",
            # The Philomena Protocol profile (part 1) and the missing report (part 2) that
            # hold it, and when and by whom part 1 was last recorded.
            "philomena_profile",
            "missing_report",
            "profile_recorded_at",
            "profile_recorded_by",
            "open_deadlines",
            "overdue_deadlines",
            "overdue",
            "watch",
            "requirement",
            "due_at",
            "next_step_at",
            "next_step_index",
            "next_step_name",
            "step_name",
            "step_index",
            "notify_role",
            "responsible_role",
            "recipient",
            "purpose",
            "about_version",
            # A notice's delivery, as the outbox records it (pending, delivered, failed).
            "delivery_status",
            "idempotency_key",
            "failed_notifications",
            "escalations_raised",
            "deadlines_missed",
            # Which manager took an escalation ("I am dealing with this"), and when: the
            # staff reference inside is a reference, like any actor's.
            "escalations_acknowledged",
            "acknowledged_by",
            "escalation_acknowledged_at",
            # The policy a placement runs under (its clocks, ladders and time limits): the
            # organisation's configuration, the same for every child under it, and what says
            # whether a thing was done on time.
            "policy",
            "clocks",
            "leaflet",
            "missing_procedures",
            "risk_assessment",
            "planning_meeting",
            "lac_review",
            "sw_visit",
            "risk_review",
            "nrm_referral",
            "missing_episode",
            "return_interview",
            "restriction_review",
            "contact_assessment",
            "ladder",
            "name",
            "offset",
            "expires",
            "repeat_last_step_every",
            "leaflet_within",
            "missing_procedures_within",
            "risk_assessment_within",
            "planning_meeting_within",
            "first_review_within_days",
            "first_review_working_days",
            "second_review_within_months",
            "later_reviews_every_months",
            "first_visit_within",
            "visits_every",
            "risk_review_every",
            "high",
            "medium",
            "low",
            "nrm_referral_within_working_days",
            "return_interview_within",
            "risk_review_after_concern_within",
            "contact_assessment_within_working_days",
            "restriction_review_within",
            "internet",
            "supervision",
            "contact",
            "phone_held_from_arrival",
            # Times.
            "occurred_at",
            "owed_at",
            "police_acknowledged_at",
            "as_at",
            "arrived_at",
            "assessed_at",
            "attempted_at",
            "confirmed_at",
            "contact_at",
            "delivered_at",
            "ended_at",
            "explained_at",
            "first_assessed_at",
            "held_at",
            "interpreter_requested_at",
            "interviewed_at",
            "last_assessed_at",
            "last_seen_at",
            "leaflet_delivered_at",
            "lifted_at",
            "looked_after_since",
            "missing_procedures_explained_at",
            "missing_since",
            "next_deadline_at",
            "nrm_referred_at",
            "observed_at",
            "planning_meeting_held_at",
            "proposed_at",
            "raised_at",
            "read_at",
            "received_at",
            "referred_at",
            "reported_at",
            "requested_at",
            "return_interview_held_at",
            "returned_at",
            "review_by",
            "reviews_held",
            "risk_clock_started_at",
            "risk_review_requested_at",
            "since",
            "social_worker_visits",
            "starts_at",
            "until",
            "updated_at",
            "verified_at",
            "visited_at",
        }
    ),
    # Values from the domain's own lists, counts and yes/no: nobody typed them.
    FieldGroup.coded: frozenset(
        {
            # Whether the child needs an interpreter (asked at the start; on the records of
            # the leaflet and of the missing procedures).
            "needs_interpreter",
            "interpreter_needed",
            "kind",
            "level",
            "initial_risk_level",
            "risk_level",
            "from_level",
            "to_level",
            "police_risk_grade",
            "outcome",
            "means",
            "channel",
            "end_reason",
            "imposed_by",
            "allowed",
            "child_participated",
            "child_seen_alone",
            "young_person_present",
            "identity_established",
            "relationship_established",
            "visitor_was_proposed",
            "phone_held",
            "ukvi_relevant",
            "missing",
            "away_without_authorisation",
            "number",
            "review_number",
            "risk_review_sequence",
            "restriction_review_sequence",
            "enquiry_count",
            "visit_count",
            "unverified_visit_attempts",
            "observation_count",
            "family_contact_count",
            "suspicious_activity_count",
            "overdue_count",
            "attempts",
            # The missing-from-care record (inspection evidence): how long an episode lasted,
            # whether the police's reference was recorded (not the reference), and whether the
            # return interview was held within 72 hours.
            "missing_minutes",
            "police_reference_recorded",
            "return_interview_in_time",
        }
    ),
    # What someone wrote: the child's own words, reasons, relationships, risk factors. A key
    # that is free text anywhere is free text everywhere (an observation's ``category`` is).
    FieldGroup.free_text: frozenset(
        {
            "child_views",
            "child_understanding",
            "note_reference_or_text",
            "question",
            "reason",
            "absence_reason",
            "stated_relationship",
            "relationship",
            "factors",
            "risk_factors",
            "category",
        }
    ),
    # References to people and documents held elsewhere: staff, interpreters, visitors, family,
    # enquirers, the police, immigration and NRM references, descriptions.
    FieldGroup.references: frozenset(
        {
            "reference",
            "actor_ref",
            "social_worker_reference",
            "chaired_by_iro_reference",
            "interpreter_reference",
            "interviewer_reference",
            "referral_reference",
            "assessment_reference",
            "confirmation_reference",
            "phone_release_reference",
            "police_check_reference",
            "immigration_check_reference",
            "visitor_reference",
            "contact_person_reference",
            "contact_person_references",
            "enquirer_reference",
            "found_by_reference",
            "description_reference",
            "clothing_reference",
            # The police's crime or CAD reference for a missing episode.
            "police_reference",
        }
    ),
    # What identifies the child: the case, the language (with a trafficked child, a strong
    # pointer), the council that placed them, the date of birth and whether the age is
    # disputed, with where its assessment stands (a disputed age all but says the child came
    # unaccompanied).
    FieldGroup.identifying: frozenset(
        {
            "case_reference",
            "first_language",
            "language",
            "placing_authority",
            "date_of_birth",
            "age_disputed",
            "age_assessment",
        }
    ),
    # Who read a record, and why when they opened it by break-glass: the access log's purpose.
    FieldGroup.readers: frozenset({"subject", "break_glass_reason"}),
    # Where the child lives (the unit, and the unit check that names it) or was last seen, is,
    # or was found.
    FieldGroup.location: frozenset({"unit_id", "unit_check_reference", *LOCATION_FIELDS}),
    # The unit's own records (its checks, meetings, residents and duties): they say which
    # children live together, so they are the unit's, like its id.
    FieldGroup.unit: frozenset(
        {
            "residents",
            "answered",
            "next_check_due_at",
            "whereabouts",
            "away_until",
            "joined_at",
            "level_since",
            "missing_requested",
            "opened_at",
            "checks_recorded",
            "last_check_at",
            "house_meetings_held",
            "last_house_meeting_at",
            "building_checks_recorded",
            "last_building_check_at",
            "concerns_raised",
            "handovers_acknowledged",
            "last_handover_acknowledged_at",
            "unit_overdue",
            "unit_due_next_24_hours",
            "due_next_24_hours",
            "reported_version",
            "check_number",
            "checked_at",
            "areas",
            "concerns",
            "topics",
            "residents_present",
            "phones_discussed",
            "acknowledged_at",
            "handed_over_by_reference",
        }
    ),
    # The Philomena Protocol profile, part 1: the child's description, and references to their
    # photographs, clothing, known associates and places, for the police to search with.
    FieldGroup.philomena: frozenset(
        {
            "physical_description",
            "photograph_references",
            "clothing_references",
            "known_associate_references",
            "known_place_references",
        }
    ),
}

# The adoption's fields (``safeside.need_to_know_adoption``), in the same groups.
FIELDS = {
    group: fields | ADOPTION_FIELDS.get(group.value, frozenset())
    for group, fields in FIELDS.items()
}
