"""The form pages every app shares: one object's form, saved or shown again with its
errors in place, and the confirmation before deleting one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _


def edit_page(
    request: HttpRequest,
    form: ModelForm,
    *,
    title: str,
    back: str,
    saved: str,
    delete_url: str | None = None,
) -> HttpResponse:
    """The one form page of the profile: save and go back, or show the errors in place."""
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, saved)
            return redirect(back)
        status = 422
    else:
        status = 200
    return render(
        request,
        "ui/form.html",
        {"form": form, "title": title, "back": back, "delete_url": delete_url},
        status=status,
    )


def delete_page(request: HttpRequest, obj: Any, *, back: str, what: str) -> HttpResponse:
    """Confirm on GET, delete on POST; an htmx POST gets an empty body to swap the row out."""
    if request.method == "POST":
        obj.delete()
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse("")
        messages.success(request, _("%(what)s deleted.") % {"what": what})
        return redirect(back)
    return render(request, "ui/confirm_delete.html", {"object": obj, "back": back, "what": what})
