"""The page where a member makes, sees and revokes their API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from homefront.access import Action
from homefront.access import requires
from homefront.api.forms import AccessTokenForm
from homefront.api.models import AccessToken
from homefront.households.access import MemberRequest
from homefront.ui.forms import posted


def get_token(request: MemberRequest, pk: int) -> AccessToken:
    """A member's own token in the current household; anyone else's is a 404."""
    return get_object_or_404(
        AccessToken.objects.in_household(request.household).filter(user=request.user), pk=pk
    )


@requires(Action.KEEP_OWN_ACCESS)
@never_cache
def tokens(request: MemberRequest) -> HttpResponse:
    form = AccessTokenForm(posted(request))
    created = None
    if request.method == "POST" and form.is_valid():
        access, token = AccessToken.issue(
            request.user, request.household, form.cleaned_data["name"], form.cleaned_data["scope"]
        )
        # Shown on this page only, never stored: a reload makes no second token.
        created = {"token": access, "secret": token}
        form = AccessTokenForm()
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": AccessToken.objects.in_household(request.household).filter(user=request.user),
        },
        status=422 if form.errors else 200,
    )


@requires(Action.KEEP_OWN_ACCESS)
@require_POST
def revoke_token(request: MemberRequest, pk: int) -> HttpResponse:
    access = get_token(request, pk)
    AccessToken.objects.filter(pk=access.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    messages.success(
        request, _("Revoked “%(name)s”: it no longer opens anything.") % {"name": access.name}
    )
    return redirect("api:tokens")
