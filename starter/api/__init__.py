"""The HTTP API: a FastAPI app, a thin door over the service layer (``starter.services``): the
gate for every read of a child (``reading``) and one path to record (``recording``)."""
