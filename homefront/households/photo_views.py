"""A child's own photo on the profile: add or change it, remove it, see it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from homefront.access import Action
from homefront.access import requires
from homefront.households import access
from homefront.households.access import MemberRequest
from homefront.households.child_photo import photo_response
from homefront.households.child_photo import remove_photo
from homefront.households.child_photo import replace_photo
from homefront.households.forms import ChildPhotoForm
from homefront.households.views import child_page


@requires(Action.EDIT_PROFILE)
@require_POST
def child_photo_upload(request: MemberRequest, pk: int) -> HttpResponse:
    child = access.get_child(request, pk)
    form = ChildPhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return child_page(request, child, photo_form=form, status=422)
    replace_photo(child, form.cleaned_data["photo"])
    messages.success(request, _("%(name)s's photo is saved.") % {"name": child.name})
    return redirect("households:child", pk=child.pk)


@requires(Action.EDIT_PROFILE)
@require_POST
def child_photo_remove(request: MemberRequest, pk: int) -> HttpResponse:
    child = access.get_child(request, pk)
    remove_photo(child)
    messages.success(request, _("%(name)s's photo is removed.") % {"name": child.name})
    return redirect("households:child", pk=child.pk)


@requires(Action.READ_PROFILE)
def child_photo(request: MemberRequest, pk: int) -> HttpResponse:
    """The photo itself, large, or small with `?size=small`."""
    child = access.get_child(request, pk)  # first: another household's child is a 404
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return photo_response(request, child, small=request.GET.get("size") == "small")
