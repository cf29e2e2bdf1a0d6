"""A household and its members: making one, switching between them, its settings,
inviting a parent or a caregiver, and leaving."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from homefront.access import Action
from homefront.access import actor_of
from homefront.access import may
from homefront.access import member_required
from homefront.access import requires
from homefront.households import access
from homefront.households.access import MemberRequest
from homefront.households.forms import HouseholdForm
from homefront.households.forms import HouseholdSettingsForm
from homefront.households.forms import InvitationForm
from homefront.households.middleware import SESSION_KEY
from homefront.households.models import Household
from homefront.households.models import Invitation
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.households.versions import note_writes_to
from homefront.ui.forms import posted
from homefront.ui.views import form_page


@login_required
def create_household(request: MemberRequest) -> HttpResponse:
    form = HouseholdForm(posted(request), initial={"time_zone": "America/New_York"})
    if not form.is_bound:
        # The browser knows where the family lives; app.js puts its zone in the box.
        form.fields["time_zone"].widget.attrs["data-browser-zone"] = ""
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            household = form.save()
            Membership.objects.create(household=household, user=request.user, role=Role.PARENT)
        request.session[SESSION_KEY] = household.pk
        messages.success(
            request,
            _("Welcome to %(household)s. Start with your children.")
            % {"household": household.name},
        )
        return redirect("households:profile")
    return form_page(request, "households/household_create.html", form)


@login_required
@require_POST
def switch_household(request: MemberRequest) -> HttpResponse:
    wanted = request.POST.get("household", "")
    membership = next(
        (m for m in request.memberships if str(m.household_id) == wanted),
        None,
    )
    if membership is None:
        messages.error(request, _("You are not a member of that household."))
    else:
        request.session[SESSION_KEY] = membership.household_id
        messages.success(
            request, _("Now showing %(household)s.") % {"household": membership.household.name}
        )
    return redirect("core:home")


@requires(Action.EDIT_PROFILE)
def household_settings(request: MemberRequest) -> HttpResponse:
    # A copy, so a refused name does not show in the page's own header.
    household = Household.objects.get(pk=request.household.pk)
    form = HouseholdSettingsForm(posted(request), instance=household)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Household saved."))
        return redirect("households:members")
    return form_page(request, "households/household_settings.html", form)


@member_required
def members(request: MemberRequest) -> HttpResponse:
    household: Household = request.household
    context: dict[str, Any] = {
        "members": Membership.objects.in_household(household).select_related("user"),
    }
    if may(actor_of(request), Action.MANAGE_MEMBERS):
        context["invitations"] = Invitation.objects.in_household(household).pending()
        context["form"] = InvitationForm()
    return render(request, "households/members.html", context)


@requires(Action.MANAGE_MEMBERS)
@require_POST
def invite(request: MemberRequest) -> HttpResponse:
    household: Household = request.household
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "households/members.html",
            {
                "members": Membership.objects.in_household(household).select_related("user"),
                "invitations": Invitation.objects.in_household(household).pending(),
                "form": form,
            },
            status=422,
        )
    invitation, token = Invitation.issue(
        household,
        form.cleaned_data["role"],
        request.user,
        form.cleaned_data["invitee"],
    )
    link = request.build_absolute_uri(reverse("households:accept", args=[token]))
    return render(
        request,
        "households/invitation_created.html",
        {"invitation": invitation, "link": link, "days": settings.INVITATION_DAYS},
    )


@requires(Action.MANAGE_MEMBERS)
@require_POST
def revoke_invitation(request: MemberRequest, pk: int) -> HttpResponse:
    invitation = access.get_invitation(request, pk)
    Invitation.objects.pending().filter(pk=invitation.pk).update(revoked_at=timezone.now())
    messages.success(request, _("Invitation cancelled; its link no longer works."))
    return redirect("households:members")


@requires(Action.MANAGE_MEMBERS)
@require_POST
def remove_member(request: MemberRequest, pk: int) -> HttpResponse:
    membership = access.get_membership(request, pk)
    if membership.is_last_parent():
        messages.error(request, _("A household needs at least one parent. Invite another first."))
    else:
        membership.delete()
        messages.success(
            request,
            _("%(person)s no longer has access to this household.") % {"person": membership.user},
        )
    return redirect("households:members")


@member_required
def leave_household(request: MemberRequest) -> HttpResponse:
    membership: Membership = request.membership
    if request.method == "POST":
        if membership.is_last_parent():
            messages.error(
                request, _("You are the last parent. Invite another parent before you leave.")
            )
            return redirect("households:members")
        membership.delete()
        request.session.pop(SESSION_KEY, None)
        messages.success(
            request, _("You left %(household)s.") % {"household": membership.household.name}
        )
        return redirect("core:home")
    return render(request, "households/leave.html", {"last_parent": membership.is_last_parent()})


def accept_invitation(request: MemberRequest, token: str) -> HttpResponse:
    invitation = Invitation.find_pending(token)
    if invitation is None:
        return render(request, "households/invitation_invalid.html", status=404)
    if not request.user.is_authenticated:
        return render(request, "households/invitation_welcome.html", {"invitation": invitation})
    if request.method == "POST":
        note_writes_to(request, invitation.household_id)  # a household not theirs yet
        try:
            membership = invitation.accept(request.user)
        except ValidationError:
            return render(request, "households/invitation_invalid.html", status=404)
        request.session[SESSION_KEY] = membership.household_id
        messages.success(
            request, _("You joined %(household)s.") % {"household": membership.household.name}
        )
        return redirect("core:home")
    return render(request, "households/invitation_accept.html", {"invitation": invitation})
