from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404
from django.urls import resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from homefront import i18n
from homefront.accounts.forms import AccountForm
from homefront.accounts.forms import SignupForm
from homefront.households.models import Invitation
from homefront.ui.forms import posted
from homefront.ui.views import form_page


def _safe_next(request: HttpRequest) -> str | None:
    wanted = request.POST.get("next") or request.GET.get("next")
    # A path of this site only: `redirect()` would read "a:b" as a URL name to reverse.
    if (
        wanted
        and wanted.startswith("/")
        and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return wanted
    return None


def _invited(next_url: str | None) -> bool:
    """Whether the visitor arrives through a working invitation link."""
    if not next_url:
        return False
    try:
        match = resolve(next_url)
    except Resolver404:
        return False
    return match.view_name == "households:accept" and (
        Invitation.find_pending(match.kwargs["token"]) is not None
    )


def signup(request: HttpRequest) -> HttpResponse:
    if not settings.SIGNUP_OPEN and not _invited(_safe_next(request)):
        raise Http404("Sign-up is closed on this installation; ask for an invitation.")
    if request.user.is_authenticated:
        return redirect("core:home")
    form = SignupForm(posted(request))
    if request.method == "POST" and form.is_valid():
        # The language the browser asked for is the account's until they choose another.
        form.instance.language = i18n.or_default(getattr(request, "LANGUAGE_CODE", None))
        with transaction.atomic():  # the account and its first sign-in, or neither
            user = form.save()
            login(request, user, backend="homefront.accounts.backends.MemberBackend")
        messages.success(request, _("Welcome, %(name)s.") % {"name": user.get_short_name()})
        return redirect(_safe_next(request) or "households:create")
    return form_page(request, "accounts/signup.html", form, {"next": _safe_next(request) or ""})


@login_required
def account(request: HttpRequest) -> HttpResponse:
    form = AccountForm(posted(request), instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your account is saved."))
        return redirect("accounts:account")
    return form_page(request, "accounts/account.html", form)
