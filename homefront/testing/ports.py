"""Ports on 127.0.0.1 for the real servers tests start, and waiting for them."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any

WAIT = 60  # seconds: the longest any wait for a server may take


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(condition: Callable[[], Any], what: str, seconds: float = WAIT) -> Any:
    """`condition()`'s first true result, asked every 50 ms; an AssertionError naming
    `what` once `seconds` have passed without one."""
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"Waited {seconds} s for {what}")
        time.sleep(0.05)
