"""Which addresses Homefront may post to: a webhook's URL and a push service's endpoint
are typed or sent by people, so they are checked against the addresses they resolve to,
when saved and again at every send (a name can resolve elsewhere later: DNS rebinding).

Loopback, private, link-local and other non-public addresses are refused unless
HOMEFRONT_ALLOW_PRIVATE_TARGETS allows them (a Home Assistant on the LAN).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(ValueError):
    """A URL Homefront will not post to; the message says why, for the person."""


def _public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _allowed(address: Address) -> bool:
    if _public(address):
        return True
    return bool(
        settings.ALLOW_PRIVATE_TARGETS and not (address.is_unspecified or address.is_multicast)
    )


def split(url: str, *, https_only: bool = False) -> tuple[str, str, int]:
    """The scheme, host and port of a URL Homefront may post to, or TargetRefused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused(_("This is not a valid URL.")) from None
    schemes = ("https",) if https_only else ("http", "https")
    if parts.scheme not in schemes:
        raise TargetRefused(
            _("Use an https:// address.") if https_only else _("Use an http:// or https:// URL.")
        )
    if not parts.hostname:
        raise TargetRefused(_("The URL has no host name."))
    if parts.username or parts.password:
        raise TargetRefused(_("Put no user name or password in the URL; the secret signs it."))
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def resolve(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to, every one of them allowed, or TargetRefused."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise TargetRefused(
            _("The host name %(host)s does not resolve.") % {"host": host}
        ) from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        if not _allowed(address):
            raise TargetRefused(
                _(
                    "%(host)s is a loopback, private or link-local address (%(address)s). "
                    "Homefront posts only to public addresses unless the installation "
                    "allows private ones (HOMEFRONT_ALLOW_PRIVATE_TARGETS)."
                )
                % {"host": host, "address": text}
            )
    if not addresses:
        raise TargetRefused(_("The host name %(host)s does not resolve.") % {"host": host})
    return addresses


def check(url: str, *, https_only: bool = False) -> list[str]:
    """The allowed addresses of the URL's host, or TargetRefused with the reason."""
    _scheme, host, port = split(url, https_only=https_only)
    return resolve(host, port)
