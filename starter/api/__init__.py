"""The HTTP API: a FastAPI app over the same paths as the command line (``starter.placements``
for writes and live state, ``starter.queries`` for lists and the audit trail)."""
