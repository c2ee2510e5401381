"""The durable core: the pure placement domain (``workflows.domain``) and the Temporal
workflow classes that run it."""
