"""Messages a person asks for there and then, not planned: "leave now" to whoever is in
charge, and "Send a test"."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from homefront.i18n import lazy_day
from homefront.i18n import lazy_text
from homefront.i18n import lazy_time
from homefront.notify.drafts import Draft
from homefront.notify.drafts import make
from homefront.notify.models import Channel
from homefront.notify.models import Message
from homefront.notify.models import MessageKind
from homefront.trips.models import Cover
from homefront.trips.models import Trip


def leave_now(trip: Trip, url: str) -> list[Message]:
    """Tells the backup caregiver at once, with the link to the brief."""
    # A contact named in charge, or a caregiver member (who may have a phone to push to).
    covering_members = Cover.objects.filter(
        household=trip.household, night__in=trip.nights_list, member__isnull=False
    ).values("member")
    channels = (
        Channel.objects.filter(household=trip.household)
        .filter(Q(contact__covers__night__in=trip.nights_list) | Q(user__in=covering_members))
        .select_related("household", "contact", "user")
        .distinct()
    )
    lines: list[str | Promise] = [
        lazy_text(
            gettext_lazy("%(name)s has to leave now, back %(day)s, %(time)s."),
            name=trip.traveller.get_short_name(),
            day=lazy_day(trip.local_end),
            time=lazy_time(trip.local_end),
        ),
        gettext_lazy("You are named to look after the children. Everything you need is here:"),
        url,
    ]
    drafts = [
        make(
            channel,
            Draft(
                MessageKind.LEAVE_NOW,
                f"leave-now:{trip.pk}",
                gettext_lazy("Can you take over? It's urgent"),
                lines,
                timezone.now(),
            ),
        )
        for channel in channels
    ]
    return [m for m in drafts if m is not None]


def trial_message(channel: Channel, nonce: str) -> Message | None:
    return make(
        channel,
        Draft(
            MessageKind.TEST,
            f"test:{nonce}",
            gettext_lazy("A test from Homefront"),
            [gettext_lazy("This is a test. If you can read it, Homefront can reach you here.")],
            timezone.now() - timedelta(minutes=1),
            anytime=True,
        ),
    )
