from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from homefront.access import Action, actor_of, may, requires
from homefront.core.forms import posted
from homefront.households.access import MemberRequest
from homefront.notify.delivery import deliver
from homefront.notify.forms import ChannelForm
from homefront.notify.models import Channel, Message, Status
from homefront.notify.plan import trial_message


def _visible_channels(request: MemberRequest) -> Q:
    """A member manages their own channels; a parent also the household's contacts'."""
    mine = Q(user=request.user)
    if may(actor_of(request), Action.MANAGE_HOUSEHOLD_CHANNELS):
        return mine | Q(contact__isnull=False)
    return mine


def get_channel(request: MemberRequest, pk: int) -> Channel:
    return get_object_or_404(
        Channel.objects.in_household(request.household)
        .filter(_visible_channels(request))
        .select_related("user", "contact", "household"),
        pk=pk,
    )


@requires(Action.KEEP_OWN_ACCESS)
def channels(request: MemberRequest) -> HttpResponse:
    form = ChannelForm(
        posted(request),
        membership=request.membership,
        for_contacts=may(actor_of(request), Action.MANAGE_HOUSEHOLD_CHANNELS),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved. Try “Send a test” to make sure it reaches you.")
        return redirect("notify:channels")
    return render(
        request,
        "notify/channels.html",
        {
            "form": form,
            "channels": Channel.objects.in_household(request.household)
            .filter(_visible_channels(request))
            .select_related("user", "contact"),
        },
        status=422 if form.errors else 200,
    )


@requires(Action.KEEP_OWN_ACCESS)
@require_POST
def send_test(request: MemberRequest, pk: int) -> HttpResponse:
    channel = get_channel(request, pk)
    message = trial_message(channel, uuid.uuid4().hex)
    if message is None:
        raise PermissionDenied("Could not make the test message.")
    outcome = deliver(message.pk, worker="web")
    if outcome == "sent":
        messages.success(request, f"Test sent to {channel.shown_target}.")
    else:
        # A test is for now: no retries an hour later.
        Message.objects.filter(pk=message.pk).update(status=Status.FAILED)
        message.refresh_from_db()
        messages.error(request, f"The test did not go through: {message.last_error}")
    return redirect("notify:channels")


@requires(Action.KEEP_OWN_ACCESS)
@require_POST
def delete_channel(request: MemberRequest, pk: int) -> HttpResponse:
    channel = get_channel(request, pk)
    channel.delete()
    messages.success(request, "Removed.")
    return redirect("notify:channels")


@requires(Action.MANAGE_HOUSEHOLD_CHANNELS)
def delivery_log(request: MemberRequest) -> HttpResponse:
    log = list(
        Message.objects.in_household(request.household)
        .select_related("channel__user", "channel__contact")
        .prefetch_related("attempt_log")[:100]
    )
    return render(request, "notify/log.html", {"log": log, "failed": Status.FAILED})
