"""The policy in force (statutory clocks, escalation ladders): the defaults from the seed and
the law, or a JSON file named by ``SAFESIDE_POLICY_FILE`` overriding any of them."""

from __future__ import annotations

from pydantic import ValidationError

from safeside.errors import SafesideError
from safeside.settings import Settings
from workflows.domain.policy import Policy


class PolicyFileError(SafesideError):
    pass


def load_policy(settings: Settings) -> Policy:
    if settings.policy_file is None:
        return Policy()
    try:
        text = settings.policy_file.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyFileError(
            f"cannot read the policy file {settings.policy_file}: {exc.strerror}"
        ) from exc
    try:
        return Policy.model_validate_json(text)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise PolicyFileError(
            f"the policy file {settings.policy_file} is not valid: {problems}"
        ) from None
