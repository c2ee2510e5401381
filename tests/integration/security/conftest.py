"""The same worker, API, command line and database as the starter's tests
(tests/integration/starter), and the need-to-know tests' world (``need_to_know_world``)."""

from tests.integration.security.need_to_know_world import world
from tests.integration.starter.conftest import api, safeside, services, settings, started, worker

__all__ = ["api", "safeside", "services", "settings", "started", "worker", "world"]
