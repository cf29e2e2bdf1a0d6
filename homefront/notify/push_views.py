"""A person's devices: the browser subscribes (static/homefront/push.js) and posts its
subscription here; the service worker posts a renewed one on `pushsubscriptionchange`."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from homefront.access import Action
from homefront.access import actor_of
from homefront.access import may
from homefront.access import requires
from homefront.households.access import MemberRequest
from homefront.households.validators import validate_plain_text
from homefront.notify import push
from homefront.notify import vapid
from homefront.notify.forms import PushChoicesForm
from homefront.notify.models import Channel
from homefront.notify.models import ChannelKind
from homefront.notify.models import PushChoices
from homefront.ui.forms import posted

MAX_BODY = 8 * 1024  # a subscription is a few hundred bytes


def _choices(request: MemberRequest) -> PushChoices:
    return PushChoices.objects.filter(household=request.household, user=request.user).first() or (
        PushChoices(household=request.household, user=request.user)
    )


def devices_context(request: MemberRequest, form: PushChoicesForm | None = None) -> dict[str, Any]:
    return {
        "devices": Channel.objects.in_household(request.household)
        .filter(user=request.user, kind=ChannelKind.PUSH)
        .select_related("push_device"),
        "vapid_public_key": vapid.public_key(),
        "choices_form": form
        or PushChoicesForm(
            instance=_choices(request), plans_trips=may(actor_of(request), Action.PLAN_TRIPS)
        ),
    }


def _json(request: MemberRequest) -> dict[str, Any]:
    """The JSON object the browser sent; refused when it is too large or not an object."""
    if len(request.body) > MAX_BODY:
        raise push.SubscriptionRefused(_("The subscription is too large."))
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise push.SubscriptionRefused(_("The browser sent no subscription."))
    return data


def _old_endpoint(raw: Any) -> str:
    """The address the device had: refused with the reason when it cannot be one."""
    old_endpoint = str(raw or "")
    try:
        validate_plain_text(old_endpoint)
    except ValidationError as problem:
        raise push.SubscriptionRefused(" ".join(problem.messages)) from None
    return old_endpoint


def _device_name(raw: Any) -> str:
    name = str(raw or "").strip()[:80]
    if not name:
        raise push.SubscriptionRefused(_("Give this device a name, e.g. “Maya's phone”."))
    try:
        validate_plain_text(name)
    except ValidationError as problem:
        raise push.SubscriptionRefused(" ".join(problem.messages)) from None
    return name


@requires(Action.KEEP_OWN_ACCESS)
@require_POST
def subscribe(request: MemberRequest) -> HttpResponse:
    try:
        data = _json(request)
        channel = push.subscribe(
            request.household,
            request.user,
            data.get("subscription"),
            _device_name(data.get("name")),
        )
    except push.SubscriptionRefused as refused:
        return JsonResponse({"error": str(refused)}, status=422)
    return JsonResponse({"id": channel.pk, "name": channel.push_device.name}, status=201)


def _from_another_site(request: MemberRequest) -> bool:
    origin = request.headers.get("Origin")
    return origin is not None and origin != f"{request.scheme}://{request.get_host()}"


# The service worker has no CSRF token to send. The browser sends the session cookie to
# this same-site JSON endpoint only (SameSite=Lax), a request another site's page makes
# says so in its Origin and is refused, and it changes nothing but the address of a device
# whose old address the caller must know.
@csrf_exempt
@requires(Action.KEEP_OWN_ACCESS)
@require_POST
def resubscribe(request: MemberRequest) -> HttpResponse:
    if _from_another_site(request):
        return JsonResponse(
            {"error": _("Only this site's own pages may renew a device.")}, status=403
        )
    if request.content_type != "application/json":
        return JsonResponse({"error": _("Send JSON.")}, status=415)
    try:
        data = _json(request)
        channel = push.resubscribe(
            request.household,
            request.user,
            _old_endpoint(data.get("old_endpoint")),
            data.get("subscription"),
        )
    except push.SubscriptionRefused as refused:
        return JsonResponse({"error": str(refused)}, status=422)
    if channel is None:
        return JsonResponse({"error": _("No such device.")}, status=404)
    return JsonResponse({"id": channel.pk}, status=200)


@requires(Action.KEEP_OWN_ACCESS)
@require_POST
def save_choices(request: MemberRequest) -> HttpResponse:
    form = PushChoicesForm(
        posted(request),
        instance=_choices(request),
        plans_trips=may(actor_of(request), Action.PLAN_TRIPS),
    )
    if form.is_valid():
        form.save()
        messages.success(request, _("Saved what reaches your devices."))
        return redirect("notify:channels")
    from homefront.notify.views import channels_page

    return channels_page(request, choices_form=form)
