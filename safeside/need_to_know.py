"""Need to know, by allow-list: for each staff role, the fields of a child's record it may see.

Every answer about a child (state, deadlines, handover, audit trail, lists, access log) is JSON
whose keys are the field names of the domain's models, so the list is kept by field name, in
groups. A key in no group is seen by nobody: a field added to a model later reads
``[redacted]`` for every role until it is listed here (``tests/unit/security`` fails until it
is). The care roles see what they saw before the allow-list, except that nothing derived from
a unit reaches the Independent Reviewing Officer (the unit check reference named the unit).
The auditor checks that things were done, on time, by the right role: so it sees the record's
structure, times, coded values and roles, and never what anyone wrote, whom anyone named, or
the unit; it sees who read a record (the access log's ``subject``), which is what the log is
for. The Philomena Protocol profile (part 1: how the police would know the child) is for the
unit's own staff alone; the reading gate narrows it further to those who are members of the
child's unit now (``starter.services.reading``), and of notices only the police's carries it.
The administrator keeps the organisation's data and sees nothing of a child. A key means
one thing wherever it appears, so a new field whose meaning differs from an existing key's
needs a name of its own (a break-glass reason the auditor must read is not a restriction's
``reason``).

======================  ====  ====  ====  ====  ====  ====  =======  =============
group                    RW    KW    DM    RM    SW   IRO   auditor  administrator
======================  ====  ====  ====  ====  ====  ====  =======  =============
structure                yes   yes   yes   yes   yes   yes   yes      -
coded                    yes   yes   yes   yes   yes   yes   yes      -
free_text                yes   yes   yes   yes   yes   yes   -        -
references               yes   yes   yes   yes   yes   yes   -        -
identifying              yes   yes   yes   yes   yes   yes   -        -
readers                  yes   yes   yes   yes   yes   yes   yes      -
location                 yes   yes   yes   yes   yes   -     -        -
unit                     yes   yes   yes   yes   yes   -     -        -
philomena                yes   yes   yes   yes   -     -     -        -
======================  ====  ====  ====  ====  ====  ====  =======  =============
"""

from __future__ import annotations

from safeside.need_to_know_fields import FIELDS, FieldGroup
from workflows.domain.common import Role

R = Role


_UNIT_STAFF = frozenset({R.residential_worker, R.key_worker, R.duty_manager, R.registered_manager})
_CARE = _UNIT_STAFF | {R.social_worker, R.independent_reviewing_officer}
_READING_RECORDS = _CARE | {R.auditor}

# The table: field group -> the staff roles that see it. The administrator is in no row, and
# neither is any role that never signs in (partner agencies, the deadline clock).
VISIBLE_TO: dict[FieldGroup, frozenset[Role]] = {
    FieldGroup.structure: _READING_RECORDS,
    FieldGroup.coded: _READING_RECORDS,
    FieldGroup.free_text: _CARE,
    FieldGroup.references: _CARE,
    FieldGroup.identifying: _CARE,
    FieldGroup.readers: _READING_RECORDS,
    FieldGroup.location: _UNIT_STAFF | {R.social_worker},
    FieldGroup.unit: _UNIT_STAFF | {R.social_worker},
    FieldGroup.philomena: _UNIT_STAFF,
}

# The roles this table decides for: every role a person signs in with.
DECIDED_ROLES = _READING_RECORDS | {R.administrator}

KNOWN_FIELDS = frozenset(field for fields in FIELDS.values() for field in fields)


def _visible(role: Role) -> frozenset[str]:
    return frozenset(
        field for group, roles in VISIBLE_TO.items() if role in roles for field in FIELDS[group]
    )


_VISIBLE = {role: _visible(role) for role in Role}


def visible_fields(role: Role) -> frozenset[str]:
    """The keys whose values ``role`` may see; every other key reads ``[redacted]``."""
    return _VISIBLE[role]


def may_see(role: Role, field: str) -> bool:
    return field in _VISIBLE[role]
