"""The same worker, API, command line and database as the starter's tests
(tests/integration/starter)."""

from tests.integration.starter.conftest import api, safeside, services, settings, started, worker

__all__ = ["api", "safeside", "services", "settings", "started", "worker"]
