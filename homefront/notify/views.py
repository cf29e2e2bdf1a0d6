from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from homefront.access import Action
from homefront.access import actor_of
from homefront.access import may
from homefront.access import requires
from homefront.households.access import MemberRequest
from homefront.notify import push_views
from homefront.notify.delivery import deliver
from homefront.notify.forms import ChannelForm
from homefront.notify.models import TYPED_KINDS
from homefront.notify.models import Channel
from homefront.notify.models import ChannelKind
from homefront.notify.models import Message
from homefront.notify.models import Status
from homefront.notify.plan import trial_message
from homefront.ui.forms import posted


def _visible_channels(request: MemberRequest) -> Q:
    """A member manages their own channels and devices; a parent also the household's
    contacts' and its webhooks."""
    mine = Q(user=request.user)
    if may(actor_of(request), Action.MANAGE_HOUSEHOLD_CHANNELS):
        return mine | Q(contact__isnull=False) | Q(kind=ChannelKind.WEBHOOK)
    return mine


def get_channel(request: MemberRequest, pk: int) -> Channel:
    return get_object_or_404(
        Channel.objects.in_household(request.household)
        .filter(_visible_channels(request))
        .select_related("user", "contact", "household", "push_device", "webhook"),
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
        messages.success(request, _("Saved. Try “Send a test” to make sure it reaches you."))
        return redirect("notify:channels")
    return channels_page(request, form)


def channels_page(
    request: MemberRequest,
    form: ChannelForm | None = None,
    choices_form: push_views.PushChoicesForm | None = None,
) -> HttpResponse:
    if form is None:
        form = ChannelForm(
            membership=request.membership,
            for_contacts=may(actor_of(request), Action.MANAGE_HOUSEHOLD_CHANNELS),
        )
    failed = bool(form.errors or (choices_form is not None and choices_form.errors))
    return render(
        request,
        "notify/channels.html",
        {
            "form": form,
            "channels": Channel.objects.in_household(request.household)
            .filter(_visible_channels(request), kind__in=TYPED_KINDS)
            .select_related("user", "contact"),
            **push_views.devices_context(request, choices_form),
        },
        status=422 if failed else 200,
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
        messages.success(request, _("Test sent to %(target)s.") % {"target": channel.shown_target})
    elif outcome == "removed":
        messages.error(request, _("The push service no longer knows this device; it was removed."))
    else:
        # A test is for now: no retries an hour later.
        Message.objects.filter(pk=message.pk).update(status=Status.FAILED)
        message.refresh_from_db()
        messages.error(
            request, _("The test did not go through: %(error)s") % {"error": message.last_error}
        )
    return redirect("notify:webhooks" if channel.kind == ChannelKind.WEBHOOK else "notify:channels")


@requires(Action.KEEP_OWN_ACCESS)
@require_POST
def delete_channel(request: MemberRequest, pk: int) -> HttpResponse:
    channel = get_channel(request, pk)
    channel.delete()
    messages.success(request, _("Removed."))
    return redirect("notify:webhooks" if channel.kind == ChannelKind.WEBHOOK else "notify:channels")


@requires(Action.MANAGE_HOUSEHOLD_CHANNELS)
def delivery_log(request: MemberRequest) -> HttpResponse:
    log = list(
        Message.objects.in_household(request.household)
        .select_related("channel__user", "channel__contact")
        .prefetch_related("attempt_log")[:100]
    )
    return render(request, "notify/log.html", {"log": log, "failed": Status.FAILED})
