"""The same worker, API and database as the starter's tests (tests/integration/starter)."""

from tests.integration.starter.conftest import api, services, settings, started, worker

__all__ = ["api", "services", "settings", "started", "worker"]
