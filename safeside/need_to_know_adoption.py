"""Need to know for adopting a placement (``workflows.domain.adoption_command``): the steps
done before, each field named for its step, listed by the allow-list's group names
(``need_to_know.FieldGroup``) as the same field of the live record is; and what marks an
adopted step, and the clocks the adoption caught up with."""

ADOPTION_FIELDS: dict[str, frozenset[str]] = {
    "structure": frozenset(
        {
            "passed_steps",
            "risk_assessed_at",
            "latest_review_held_at",
            "latest_visit_at",
            "phone_released_at",
            "internet_restricted_since",
            "internet_restriction_review_by",
            "supervision_restricted_since",
            "supervision_restriction_review_by",
            "contact_restricted_since",
            "contact_restriction_review_by",
            "missing_last_seen_at",
        }
    ),
    "coded": frozenset(
        {
            "recorded_on_adoption",
            "reviews_not_recorded",
            "looked_after_reviews_held",
            "risk_child_participated",
            "planning_meeting_young_person_present",
            "latest_visit_child_seen_alone",
            "missing_kind",
            "missing_police_risk_grade",
        }
    ),
    "free_text": frozenset(
        {
            "leaflet_child_understanding",
            "risk_child_views",
            "planning_meeting_absence_reason",
            "planning_meeting_child_views",
            "latest_review_child_views",
            "internet_restriction_reason",
            "supervision_restriction_reason",
            "contact_restriction_reason",
        }
    ),
    "references": frozenset(
        {
            "leaflet_interpreter_reference",
            "missing_procedures_interpreter_reference",
            "latest_review_iro_reference",
            "latest_visit_social_worker_reference",
            "nrm_referral_reference",
            "phone_release_confirmation_reference",
            "contact_restriction_person_references",
            "missing_clothing_reference",
        }
    ),
    "identifying": frozenset({"leaflet_language"}),
    "location": frozenset(
        {
            "missing_last_seen_place_reference",
            "missing_known_whereabouts_reference",
            "missing_circumstances",
        }
    ),
}
