"""The installation's VAPID key pair (RFC 8292): push services know Homefront's messages
by it, so no outside push account or key is needed.

Given by HOMEFRONT_VAPID_PRIVATE_KEY (or its _FILE variant: a PEM, or the raw key in
base64url as `vapid --gen` prints it); otherwise made once on first use and kept beside
the secret key in the data folder. Every server of one installation must use the same
key: a browser's subscription is bound to the public key it subscribed with.
"""

from __future__ import annotations

import base64
import functools
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from py_vapid import Vapid

KEY_FILE_NAME = "vapid_private_key.pem"


def key_file() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE_NAME


@functools.cache
def installation_key() -> Vapid:
    given = settings.VAPID_PRIVATE_KEY
    if given:
        if "BEGIN" in given:
            return Vapid.from_pem(given.encode())
        return Vapid.from_string(given)
    path = key_file()
    if not path.exists():
        _make(path)
    return Vapid.from_pem(path.read_bytes())


def _make(path: Path) -> None:
    vapid = Vapid()
    vapid.generate_keys()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Made whole under another name, then moved: a second process starting at the same
    # moment reads either no file or the whole one; the first to move wins.
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.touch(mode=0o600)
    partial.write_bytes(vapid.private_pem())
    try:
        os.link(partial, path)
    except FileExistsError:
        pass
    finally:
        partial.unlink()


def public_key() -> str:
    """The applicationServerKey a browser subscribes with: the uncompressed P-256 point,
    base64url without padding."""
    raw = installation_key().public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def contact() -> str:
    """The `sub` claim: how a push service can reach whoever runs this installation."""
    given = settings.VAPID_CONTACT
    if given:
        return given if given.startswith(("mailto:", "https:")) else f"mailto:{given}"
    address = settings.DEFAULT_FROM_EMAIL
    if "<" in address:
        address = address.split("<", 1)[1].rstrip(">")
    return f"mailto:{address}"
