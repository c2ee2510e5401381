"""Plumbing shared by the worker and the starters: settings, logging, Temporal and PostgreSQL
connections, database migrations and the embedded development stack."""
