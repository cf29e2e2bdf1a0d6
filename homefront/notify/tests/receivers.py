"""Real HTTP receivers on 127.0.0.1 for the push and webhook tests.

`PushService` stands in for a browser's push service (RFC 8030): it takes each push,
checks its VAPID token (RFC 8292) against the installation's public key, and decrypts it
(RFC 8291, aes128gcm of RFC 8188) with the private key and auth secret of the
subscription, which the test made as a browser would: nothing of Homefront's own code
or of its encryption library is used to read what arrived.

`WebhookReceiver` checks each webhook's Standard Webhooks signature with the secret the
parent was shown, refuses a timestamp more than five minutes off and an id it has seen
(a replay: answered as done, never acted on twice), and records what it accepted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import struct
import threading
import time
from dataclasses import dataclass
from dataclasses import field
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """A subscription as a browser makes it: a P-256 key pair and a 16-byte auth secret."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def public_bytes(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )

    def subscription(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64url(self.public_bytes), "auth": b64url(self.auth)},
        }

    def decrypt(self, body: bytes) -> bytes:
        """RFC 8291 section 3.4 and RFC 8188 section 2, one record."""
        salt, record_size, id_length = body[:16], struct.unpack("!I", body[16:20])[0], body[20]
        sender_public = body[21 : 21 + id_length]
        ciphertext = body[21 + id_length :]
        assert record_size >= len(ciphertext), "one record expected"
        sender = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), sender_public)
        shared = self.private_key.exchange(ec.ECDH(), sender)
        key_info = b"WebPush: info\x00" + self.public_bytes + sender_public
        ikm = HKDF(hashes.SHA256(), 32, salt=self.auth, info=key_info).derive(shared)
        cek = HKDF(hashes.SHA256(), 16, salt=salt, info=b"Content-Encoding: aes128gcm\x00").derive(
            ikm
        )
        nonce = HKDF(hashes.SHA256(), 12, salt=salt, info=b"Content-Encoding: nonce\x00").derive(
            ikm
        )
        padded = AESGCM(cek).decrypt(nonce, ciphertext, None)
        unpadded = padded.rstrip(b"\x00")
        assert unpadded.endswith(b"\x02"), "the last record ends with the 0x02 delimiter"
        return unpadded[:-1]


def verify_vapid(authorization: str, audience: str) -> dict[str, Any]:
    """The claims of a `vapid t=<JWT>, k=<key>` header, after checking its ES256 signature
    with the key it names; the caller compares that key with the installation's."""
    scheme, _, rest = authorization.partition(" ")
    assert scheme.lower() == "vapid", authorization
    parts = dict(part.strip().split("=", 1) for part in rest.split(","))
    header_b64, claims_b64, signature_b64 = parts["t"].split(".")
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
    raw = unb64url(signature_b64)
    signature = encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:]))
    key.verify(signature, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    header = json.loads(unb64url(header_b64))
    assert header["alg"] == "ES256", header
    claims = json.loads(unb64url(claims_b64))
    assert claims["aud"] == audience, claims
    assert claims["exp"] > time.time(), claims
    assert claims["sub"].startswith(("mailto:", "https:")), claims
    return {"claims": claims, "key": parts["k"]}


@dataclass
class Push:
    path: str
    headers: dict[str, str]
    body: bytes


class PushService(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), PushHandler)
        self.received: list[Push] = []
        self.answers: dict[str, int] = {}  # path -> status to answer (default 201)
        self.lock = threading.Lock()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def pushes_to(self, path: str) -> list[Push]:
        with self.lock:
            return [push for push in self.received if push.path == path]


class PushHandler(BaseHTTPRequestHandler):
    server: PushService

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.server.lock:
            self.server.received.append(
                Push(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
        status = self.server.answers.get(self.path, 201)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Delivery:
    path: str
    id: str
    body: dict[str, Any]


class WebhookReceiver(ThreadingHTTPServer):
    TOLERANCE = 5 * 60

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), WebhookHandler)
        self.secrets: dict[str, str] = {}  # path -> secret
        self.accepted: list[Delivery] = []
        self.refused: list[tuple[str, str]] = []  # (path, why)
        self.seen: set[str] = set()
        self.hang = threading.Event()  # set: answer nothing until cleared
        self.held = 0  # requests that waited for it
        self.answers: dict[str, int] = {}
        self.lock = threading.Lock()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_port}{path}"

    def check(self, path: str, headers: Any, body: bytes) -> str | None:
        """Why the request is refused, or None: Standard Webhooks' verification."""
        secret = self.secrets.get(path)
        if secret is None:
            return "unknown path"
        webhook_id = headers.get("webhook-id", "")
        stamp = headers.get("webhook-timestamp", "")
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > self.TOLERANCE:
            return "timestamp too old or new"
        key = base64.b64decode(secret.removeprefix("whsec_"))
        expected = base64.b64encode(
            hmac.new(key, f"{webhook_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
        ).decode()
        given = [
            s.split(",", 1)[1] for s in headers.get("webhook-signature", "").split() if "," in s
        ]
        if not any(hmac.compare_digest(expected, s) for s in given):
            return "bad signature"
        if webhook_id in self.seen:
            return "replayed"
        return None


class WebhookHandler(BaseHTTPRequestHandler):
    server: WebhookReceiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.server.hang.is_set():
            with self.server.lock:
                self.server.held += 1
            while self.server.hang.is_set():
                time.sleep(0.05)
        with self.server.lock:
            why = self.server.check(self.path, self.headers, body)
            if why is None:
                self.server.seen.add(self.headers["webhook-id"])
                self.server.accepted.append(
                    Delivery(self.path, self.headers["webhook-id"], json.loads(body))
                )
            else:
                self.server.refused.append((self.path, why))
        # A replay is not acted on; it is answered as done, so that a sender retrying
        # a request it gave up waiting for (which did arrive) stops trying.
        status = 401 if why and why != "replayed" else self.server.answers.get(self.path, 204)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass
