"""Who may do and see what: the one permission table.

Every action is decided by its domain command's ``type`` (with the restriction's kind where
the kind changes who decides: only the Registered Manager restricts contact, R18); every read
by a ``View``. A role in no row may do nothing. What a role may see of a placement is decided
here too: each role sees only the fields its allow-list names (``visible_fields``, R2).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from safeside import need_to_know as visible_fields
from safeside.need_to_know_fields import FieldGroup
from workflows.domain.common import Role

R = Role

# Roles a person can sign in with; partner agencies and the deadline clock never call the API.
STAFF_ROLES = (
    R.residential_worker,
    R.key_worker,
    R.duty_manager,
    R.registered_manager,
    R.social_worker,
    R.independent_reviewing_officer,
    R.auditor,
    R.administrator,
)

_UNIT_STAFF = frozenset({R.residential_worker, R.key_worker, R.duty_manager, R.registered_manager})
_MANAGERS = frozenset({R.duty_manager, R.registered_manager})
_ASSESSORS = frozenset({R.key_worker, R.duty_manager, R.registered_manager, R.social_worker})
_ONLY_RM = frozenset({R.registered_manager})
_ONLY_SW = frozenset({R.social_worker})
_RESTRICTING = frozenset({R.duty_manager, R.registered_manager})


class Denied(Exception):
    """Refused by the permission table; the message says why, in plain words."""


# -- Actions: command type (":kind" for restrictions) -> roles that may record it -------------

ACTIONS: dict[str, frozenset[Role]] = {
    "start_placement": _ONLY_RM,
    # A child already placed when the unit took Safeside on, with what was done before.
    "adopt_placement": _ONLY_RM,
    "end_placement": _ONLY_RM,
    "record_leaflet_delivered": _UNIT_STAFF,
    "record_missing_procedures_explained": _UNIT_STAFF,
    "record_risk_assessment": _ASSESSORS,
    "change_risk_level": _ASSESSORS,
    "record_planning_meeting": _ASSESSORS,
    "record_looked_after_review": frozenset({R.independent_reviewing_officer, R.social_worker}),
    "record_social_worker_visit": _ONLY_SW | _MANAGERS,
    "record_nrm_referral": _ONLY_SW | _ONLY_RM,
    "record_observation": _UNIT_STAFF | _ONLY_SW,
    "record_suspicious_activity": _UNIT_STAFF | _ONLY_SW,
    "report_missing": _UNIT_STAFF,
    "record_return": _UNIT_STAFF,
    "record_return_interview": _ONLY_SW | _MANAGERS,
    # The unit phoned the police: whoever took their crime or CAD reference records it.
    "record_police_acknowledgement": _UNIT_STAFF,
    # The Philomena Protocol profile (part 1): the unit that cares for the child keeps it.
    "record_philomena_profile": _UNIT_STAFF,
    "record_enquiry": _UNIT_STAFF,
    "propose_visitor": _UNIT_STAFF | _ONLY_SW,
    "record_visitor_verified": _ONLY_SW,
    "record_visit": _UNIT_STAFF,
    "record_unverified_visit_attempt": _UNIT_STAFF,
    "record_phone_release_confirmed": _ONLY_SW,
    "impose_restriction:contact": _ONLY_RM,
    "renew_restriction:contact": _ONLY_RM,
    "lift_restriction:contact": _ONLY_RM,
    "impose_restriction:internet": _RESTRICTING,
    "renew_restriction:internet": _RESTRICTING,
    "lift_restriction:internet": _RESTRICTING,
    "impose_restriction:supervision": _RESTRICTING,
    "renew_restriction:supervision": _RESTRICTING,
    "lift_restriction:supervision": _RESTRICTING,
    "request_contact_assessment": _ASSESSORS,
    "record_contact_assessment": _ONLY_SW,
    "record_family_contact": _UNIT_STAFF,
    # "I am dealing with this": a manager takes an escalation raised on the child's deadline.
    "acknowledge_escalation": _MANAGERS,
}

# The unit's duties (R4, R13, R14, R16) are the unit staff's; unit commands have no `type`, so
# their routes name their key here.
UNIT_ACTIONS: dict[str, frozenset[Role]] = {
    "record_unit_check": _UNIT_STAFF,
    "record_house_meeting": _UNIT_STAFF,
    "record_building_check": _UNIT_STAFF,
    "acknowledge_handover": _UNIT_STAFF,
}

KIND_DECIDES = frozenset({"impose_restriction", "renew_restriction", "lift_restriction"})


def action_key(command: BaseModel) -> str:
    """The table's key for a command: its type, with the restriction's kind where it matters."""
    command_type = str(getattr(command, "type", ""))
    if command_type in KIND_DECIDES:
        return f"{command_type}:{getattr(command, 'kind', '')}"
    return command_type


def may_record(role: Role, key: str) -> bool:
    """Whether ``role`` may record the action with this table key (pages offer only those)."""
    return role in ACTIONS.get(key, frozenset())


def check_may_record(role: Role, key: str) -> None:
    if not may_record(role, key):
        raise Denied(f"the role {role.value} may not record {key.replace(':', ' of kind ')}")


def check_action(role: Role, command: BaseModel) -> None:
    check_may_record(role, action_key(command))


def may_record_on_unit(role: Role, key: str) -> bool:
    return role in UNIT_ACTIONS.get(key, frozenset())


def check_unit_action(role: Role, key: str) -> None:
    if not may_record_on_unit(role, key):
        raise Denied(f"the role {role.value} may not record {key} on a unit")


# -- Views: what may be read, and by whom --------------------------------------------------------


class View(StrEnum):
    placement_list = "placement_list"
    placement_state = "placement_state"
    placement_deadlines = "placement_deadlines"
    handover = "handover"
    audit_trail = "audit_trail"
    notifications = "notifications"
    deadline_list = "deadline_list"
    access_log = "access_log"
    codec = "codec"
    unit_handover = "unit_handover"
    not_running = "not_running"
    ssda903_missing = "ssda903_missing"
    reg40_register = "reg40_register"
    missing_record = "missing_record"
    quality_review = "quality_review"
    philomena_profile = "philomena_profile"


# The administrator keeps the organisation's data and reads no child's record.
_ALL_STAFF = frozenset(STAFF_ROLES) - {R.administrator}
_CARE = _ALL_STAFF - {R.auditor}

VIEWS: dict[View, frozenset[Role]] = {
    View.placement_list: _ALL_STAFF,
    View.placement_state: _CARE,
    View.placement_deadlines: _CARE,
    View.handover: _CARE,
    View.audit_trail: _ALL_STAFF,
    # Who was told of what about the child (a purpose says the child went missing, was
    # restricted, had a visitor): for those who care for the child and must act on it (is a
    # notice pending? do the police know?), as the live state is. The auditor's record is the
    # audit trail; the administrator reads no child's record.
    View.notifications: _CARE,
    View.deadline_list: _CARE,
    View.access_log: frozenset({R.auditor}),
    # Who lives in the unit and where each child is: the unit's own staff.
    View.unit_handover: _UNIT_STAFF,
    # Decoding payloads in the Temporal UI shows everything, location included.
    View.codec: _MANAGERS,
    # Placements of their units whose workflow is not running: the managers act on it.
    View.not_running: _MANAGERS,
    # The SSDA903 Missing table (each child's case reference, date of birth and episodes),
    # which the placing authority returns to the DfE: its social worker, for the children
    # allocated to them, and the Registered Manager, who sends the home's record to each
    # placing authority, for the children of their units. Identifying, so never the auditor
    # (who sees no identifying field) nor the administrator.
    View.ssda903_missing: frozenset({R.registered_manager, R.social_worker}),
    # Inspection evidence (reg 40 notices to Ofsted, the placing authority and the police; the
    # missing-from-care record): the managers who answer to Ofsted for the home, for a unit they
    # are members of or a child of it; and the auditor (the inspector's reader), one child at a
    # time and structure only: a unit's list would say where each child lives.
    View.reg40_register: _MANAGERS | {R.auditor},
    View.missing_record: _MANAGERS | {R.auditor},
    # The reg 45 review of the quality of care is the Registered Manager's to write.
    View.quality_review: _ONLY_RM,
    # The Philomena Protocol profile for the police: whoever may read the child's live record
    # (whole for the unit's own staff alone, its structure for the rest: ``reading``).
    View.philomena_profile: _CARE,
}

# Routes anyone may call without a token: they say nothing about any child. /metrics holds
# counts by enum values only, and checks SAFESIDE_METRICS_TOKEN itself when one is set.
PUBLIC_PATHS = frozenset({"/health", "/health/live", "/health/ready", "/metrics"})

# The web page (starter.web): its pages sign people in with a session cookie, checked by the
# pages' own dependency, so the API's bearer-token check lets these paths through; the API's
# routes never read the cookie (a cookie would open them to cross-site requests).
WEB_PAGE_PATHS = frozenset({"/", "/sign-in", "/sign-out", "/temporal-ui"})
WEB_PAGE_PREFIXES = ("/web/", "/static/", "/sign-in/", "/temporal-ui/")
# The one API route that also takes the page's session: the codec, which the Temporal web UI
# (served through the page at /temporal-ui/) calls from the page's own origin.
SESSION_API_PREFIX = "/codec/"


def is_web_page_path(path: str) -> bool:
    return path in WEB_PAGE_PATHS or path.startswith(WEB_PAGE_PREFIXES)


def may_read(role: Role, view: View) -> bool:
    """Whether ``role`` may read ``view`` (pages leave out the parts it may not)."""
    return role in VIEWS[view]


def check_view(role: Role, view: View) -> None:
    if not may_read(role, view):
        raise Denied(f"the role {role.value} may not read the {view.value.replace('_', ' ')}")


# -- Need to know: the fields each role may see (``visible_fields``, an allow-list) -----------

# The roles that see where a child lives, or was last seen, is, or was found.
SEES_LOCATION = visible_fields.VISIBLE_TO[FieldGroup.location]


def hidden_fields(role: Role) -> frozenset[str]:
    """The listed fields ``role`` may not see; a field nobody has listed is hidden too
    (``visible_fields.may_see``)."""
    return visible_fields.KNOWN_FIELDS - visible_fields.visible_fields(role)
