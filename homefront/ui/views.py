"""The form pages every app shares: one object's form, saved or shown again with its
errors in place, the confirmation before deleting one, and the pair of views that
edit and delete one kind of object."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.forms import BaseForm
from django.forms import ModelForm
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from homefront.ui.forms import posted

View = Callable[..., HttpResponse]

SAVED = gettext_lazy("Saved.")


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


def form_page(
    request: HttpRequest, template: str, form: BaseForm, context: dict[str, Any] | None = None
) -> HttpResponse:
    """A page around `form`, 422 while it shows errors so that a refused POST says so."""
    return render(
        request, template, {"form": form, **(context or {})}, status=422 if form.errors else 200
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


def edit_and_delete_views(
    get: Callable[[Any, int], Any],
    form: Callable[..., ModelForm],
    *,
    guard: Callable[[View], View],
    title: Callable[[Any], str],
    back: Callable[[Any], str],
    delete_url: str,
    what: Callable[[Any], str] = str,
    saved: str | Promise = SAVED,
    back_after_delete: Callable[[Any], str] | None = None,
) -> tuple[View, View]:
    """The edit and delete pages of one kind of object, which `get` fetches by id for the
    request (scoped to its household, its access checked) and `guard` lets in."""

    @guard
    def edit(request: HttpRequest, pk: int) -> HttpResponse:
        obj = get(request, pk)
        return edit_page(
            request,
            form(posted(request), instance=obj),
            title=title(obj),
            back=back(obj),
            saved=str(saved),
            delete_url=reverse(delete_url, args=[obj.pk]),
        )

    @guard
    def delete(request: HttpRequest, pk: int) -> HttpResponse:
        obj = get(request, pk)
        return delete_page(request, obj, back=(back_after_delete or back)(obj), what=what(obj))

    return edit, delete
