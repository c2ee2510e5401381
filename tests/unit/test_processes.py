import socket

import pytest

from safeside.embedded.processes import ensure_port_free, find_binary
from safeside.errors import StackStartError


def test_a_busy_port_gives_one_clear_line() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(StackStartError) as refused:
            ensure_port_free(port, "the Temporal server", "SAFESIDE_DEV_TEMPORAL_PORT")
    message = str(refused.value)
    assert f"port {port}" in message
    assert "SAFESIDE_DEV_TEMPORAL_PORT" in message
    assert "\n" not in message


def test_a_missing_binary_says_how_to_install_it() -> None:
    with pytest.raises(StackStartError, match="make run"):
        find_binary("safeside-no-such-program")


def test_the_wheels_binaries_are_found() -> None:
    assert find_binary("temporal").name == "temporal"
    assert find_binary("temporal-test-server").name == "temporal-test-server"
