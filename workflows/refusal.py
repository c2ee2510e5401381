"""How a workflow refuses an action: the domain's words, as the caller sees them."""

from __future__ import annotations

from temporalio.exceptions import ApplicationError

from workflows.domain.errors import DomainError

# The failure type a starter matches to show the reason rather than a server error.
DOMAIN_ERROR = "DomainError"


def refusal(error: DomainError) -> ApplicationError:
    """A refused action: the domain's words, not retried."""
    return ApplicationError(str(error), type=DOMAIN_ERROR, non_retryable=True)
