"""Leaving a process that used the Temporal SDK.

Such a process was seen to abort now and then during interpreter finalisation
(``PyGILState_Release ... must be current``), after its clients and workers had shut down
cleanly inside the event loop. By then all work is done, so the process leaves at once with
its real status instead of letting finalisation turn a clean stop into a crash.
"""

from __future__ import annotations

import os
import sys


def leave(status: int) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def status_of(exit_request: SystemExit) -> int:
    """The exit status a ``SystemExit`` asks for (a message means failure, as Python does)."""
    code = exit_request.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
