"""How many tries one address gets a minute, for the secrets people send in requests.

Share links and API tokens are long random secrets; a budget per address makes
guessing them slower still, the way axes pauses password guessing. Every
budget counts in the shared cache (settings.CACHES: every process and server sees the
same counter), one counter per address per minute, with the cache's atomic `add` and
`incr`, so two processes counting at once both count.

When the cache cannot count (Redis down), every budget counts as spent: a guesser gets
429s, never guesses that nobody counts. Pages for signed-in people do not use them.

Spend outside `transaction.atomic`: on one box the cache is a table of the database, and
a rollback of an enclosing transaction (a 404 raised inside it) would undo the count.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.http import HttpResponse
from django.utils import timezone

logger = logging.getLogger("homefront.ratelimit")


def client_address(request: HttpRequest) -> str:
    """The visitor's address, for every throttle (axes' too).

    With HOMEFRONT_PROXY_COUNT proxies in front, the address the outermost proxy saw:
    counted from the right of X-Forwarded-For, since each proxy appends what it saw
    and the addresses a visitor writes into the header themselves come first.
    """
    remote = str(request.META.get("REMOTE_ADDR") or "")
    proxies: int = settings.PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return remote


@dataclass(frozen=True)
class Budget:
    name: str
    per_minute: int

    def _key(self, request: HttpRequest) -> str:
        minute = int(timezone.now().timestamp() // 60)
        return f"rate:{self.name}:{client_address(request)}:{minute}"

    def spend(self, request: HttpRequest) -> bool:
        """Count one try from the request's address; False once it is over the budget,
        or when the cache cannot count."""
        key = self._key(request)
        try:
            cache.add(key, 0, timeout=120)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=120)
                count = 1
        except Exception:  # the cache is down: fail closed
            logger.warning("Cannot count the %s budget: refusing the request.", self.name)
            return False
        return count <= self.per_minute

    def spent(self, request: HttpRequest) -> bool:
        """Whether the request's address has used up this minute's budget (counts nothing);
        True when the cache cannot tell. `incr` by 0 reads the counter and, unlike `get`,
        raises when the cache is down."""
        try:
            count = cache.incr(self._key(request), 0)
        except ValueError:  # nothing counted this minute
            return False
        except Exception:
            logger.warning("Cannot read the %s budget: refusing the request.", self.name)
            return True
        return int(count) >= self.per_minute


# Requests to share-link pages (every open of the brief, every forged or dead link).
SHARE_LINKS = Budget("share", 30)
# Wrong API tokens (a working token never counts).
API_TOKENS = Budget("api-token", 30)
# Dead calendar-feed addresses (a working one never counts: a calendar service reads the
# feeds of many households from one address).
CALENDAR_FEEDS = Budget("calendar-feed", 30)


def too_many_requests(text: str = "Too many requests. Wait a minute.") -> HttpResponse:
    response = HttpResponse(text, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "60"
    return response
