"""Configuration mistakes of push notifications, reported by `homefront check`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error
from django.core.checks import Tags
from django.core.checks import register


@register(Tags.security, deploy=True)
def one_vapid_key(app_configs: Any, **kwargs: Any) -> list[Error]:
    """Several app servers, each with a key of its own in its data folder, would sign
    with keys the browsers did not subscribe with: the pushes would be refused."""
    if settings.SERVERS > 1 and not settings.VAPID_PRIVATE_KEY:
        return [
            Error(
                "HOMEFRONT_VAPID_PRIVATE_KEY is unset with several app servers.",
                hint='Give every server the same key: `homefront shell -c "from '
                'homefront.notify import vapid; print(vapid.key_file().read_text())"` '
                "on one, then HOMEFRONT_VAPID_PRIVATE_KEY_FILE on each.",
                id="homefront.E020",
            )
        ]
    return []
