"""Real servers on 127.0.0.1 that receive what Homefront sends, for tests that check what
arrived rather than what a stand-in was asked: an SMTP server (aiosmtpd) keeping the
mail it accepts, and an HTTP receiver for what Apprise's json:// URLs post. The push
service and the webhook receiver, which check signatures, are the notify tests' own
(homefront/notify/tests/receivers.py)."""

from __future__ import annotations

import asyncio
import email
import email.message
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any
from typing import TypeVar

import pytest
from aiosmtpd.controller import Controller

from homefront.testing.ports import free_port

Served = TypeVar("Served", bound=ThreadingHTTPServer)


class Mailbox:
    """An SMTP handler that keeps what it accepts. With the gate closed, a message waits
    at the end of DATA (the sender waits for the server's answer) until it opens; a
    sender that disconnects meanwhile has delivered nothing."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[email.message.EmailMessage] = []
        self.refused: set[str] = set()
        self.gate = threading.Event()
        self.gate.set()
        self.held = 0  # messages that arrived while the gate was closed

    def reset(self) -> None:
        with self.lock:
            self.received.clear()
            self.refused.clear()
            self.held = 0
        self.gate.set()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refused:
            return f"550 5.1.1 <{address}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if not self.gate.is_set():
            with self.lock:
                self.held += 1
            deadline = time.monotonic() + 30
            while not self.gate.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.received.append(message)
        return "250 Message accepted for delivery"

    def keys(self) -> Counter[str]:
        with self.lock:
            return Counter(str(m["X-Homefront-Message"]) for m in self.received)


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on 127.0.0.1 keeping what it accepts, and its port."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        mailbox.gate.set()
        controller.stop()


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    """An SMTP server for one test; a module sharing one defines its own `smtp`."""
    with smtp_server() as server:
        yield server


class Hooks(ThreadingHTTPServer):
    """What Apprise's json:// plugin POSTs: one record per request, by path and title."""

    daemon_threads = True

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.posts: list[tuple[str, str, str]] = []
        super().__init__(("127.0.0.1", 0), HookHandler)

    def titles(self, path: str) -> Counter[str]:
        with self.lock:
            return Counter(title for where, title, _ in self.posts if where == path)


class HookHandler(BaseHTTPRequestHandler):
    server: Hooks

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.server.lock:
            self.server.posts.append((self.path, body["title"], body["message"]))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serving(server: Served) -> Iterator[Served]:
    """`server` answering on a thread of its own until the block ends."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
