"""The household's webhooks: a parent adds one (its secret shown once), tests it and
removes it (the channel views: notify:send_test, notify:delete_channel), and reads what
each delivery got."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import render

from homefront.access import Action
from homefront.access import requires
from homefront.households.access import MemberRequest
from homefront.notify import webhooks
from homefront.notify.forms import WebhookForm
from homefront.notify.models import Channel
from homefront.notify.models import ChannelKind
from homefront.notify.models import Message
from homefront.ui.forms import posted

RECENT = 10  # deliveries shown per webhook


@requires(Action.MANAGE_HOUSEHOLD_CHANNELS)
def webhook_list(request: MemberRequest) -> HttpResponse:
    form = WebhookForm(posted(request))
    secret = None
    added = None
    if request.method == "POST" and form.is_valid():
        added, secret = webhooks.add(
            request.household,
            form.cleaned_data["name"],
            form.cleaned_data["url"],
            form.cleaned_data["events"],
        )
        form = WebhookForm()
    hooks = list(
        Channel.objects.in_household(request.household)
        .filter(kind=ChannelKind.WEBHOOK)
        .select_related("webhook")
        .order_by("pk")
    )
    recent = {
        hook.pk: list(
            Message.objects.filter(channel=hook)
            .order_by("-created_at", "-pk")
            .prefetch_related(Prefetch("attempt_log"))[:RECENT]
        )
        for hook in hooks
    }
    labels = dict(webhooks.EVENTS)
    return render(
        request,
        "notify/webhooks.html",
        {
            "form": form,
            "hooks": [
                (hook, [labels.get(e, e) for e in hook.webhook.events], recent[hook.pk])
                for hook in hooks
            ],
            "secret": secret,
            "added": added,
        },
        status=422 if form.errors else 200,
    )
