"""Errors of the plumbing layer, each with a message a person can act on."""


class SafesideError(Exception):
    """Base of the project's own operational errors (not domain refusals)."""


class ServiceUnavailable(SafesideError):
    """A server the command needs cannot be reached."""


class StackStartError(SafesideError):
    """The embedded development stack could not start (busy port, missing binary...)."""
