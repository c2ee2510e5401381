"""How a workflow refuses an action: the domain's words, as the caller sees them.

A refusal of a command's own fields (FieldsRefused) also carries each problem with its field,
in the failure's details, so every door can show each one at its field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from temporalio.exceptions import ApplicationError

from workflows.domain.errors import DomainError, FieldsRefused

# The failure type a starter matches to show the reason rather than a server error.
DOMAIN_ERROR = "DomainError"


def refusal(error: DomainError) -> ApplicationError:
    """A refused action: the domain's words, not retried."""
    problems = error.problems if isinstance(error, FieldsRefused) else ()
    details = [{"field": field, "message": message} for field, message in problems]
    return ApplicationError(
        str(error), *([details] if details else []), type=DOMAIN_ERROR, non_retryable=True
    )


def refused_fields(details: Sequence[Any]) -> tuple[tuple[str, str], ...]:
    """The (field, message) problems a refusal's details carry; none for a plain refusal."""
    if not details or not isinstance(details[0], list):
        return ()
    return tuple(
        (str(problem["field"]), str(problem["message"]))
        for problem in details[0]
        if isinstance(problem, dict)
    )
