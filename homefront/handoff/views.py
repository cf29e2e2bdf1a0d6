from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from homefront import i18n
from homefront.access import Action
from homefront.access import act_as_share_link
from homefront.access import actor_of
from homefront.access import check
from homefront.access import get_trip
from homefront.access import may
from homefront.access import member_required
from homefront.access import requires
from homefront.access import sees_sensitive_notes
from homefront.core import ratelimit
from homefront.core.conditional import conditional_page
from homefront.core.decorators import kept_offline_until
from homefront.core.decorators import secret_page
from homefront.handoff import access
from homefront.handoff.brief import Brief
from homefront.handoff.brief import build_brief
from homefront.handoff.forms import LeaveNowForm
from homefront.handoff.forms import ShareLinkForm
from homefront.handoff.models import GoBagItem
from homefront.handoff.models import ShareLink
from homefront.handoff.models import ShareLinkOpen
from homefront.handoff.readiness import readiness
from homefront.handoff.readiness import score
from homefront.households import access as household_access
from homefront.households.access import MemberRequest
from homefront.households.child_photo import attach_inline_thumbnails
from homefront.households.models import Child
from homefront.households.models import Contact
from homefront.households.models import FoodKind
from homefront.households.models import Household
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.trips.models import Cover
from homefront.trips.models import Trip
from homefront.trips.models import TripKind
from homefront.ui.forms import posted
from homefront.ui.views import form_page

JUST_CREATED = "share_link_just_created"


def _pdf(html: str, filename: str) -> HttpResponse:
    from weasyprint import HTML  # imported on demand: it loads Pango, heavy at start-up

    # Relative addresses (the vendored Hebrew font) are read from the static sources.
    pdf = HTML(string=html, base_url=f"{settings.STATICFILES_DIRS[0]}/").write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _brief_context(brief: Brief, **extra: object) -> dict[str, object]:
    # The children's photos travel inside the page: printed, as a PDF, offline on the
    # caregiver's phone, and through a share link, which opens no other door.
    attach_inline_thumbnails(brief.children)
    # A copy kept on a phone says how old it is, to the minute like every time shown.
    brought_up_to_date = timezone.now().replace(second=0, microsecond=0)
    return {"brief": brief, "trip": brief.trip, "brought_up_to_date": brought_up_to_date, **extra}


@member_required
@secret_page
@conditional_page
def brief_page(request: MemberRequest, pk: int) -> HttpResponse:
    trip = get_trip(request, pk, Action.READ_BRIEF)
    actor = actor_of(request)
    brief = build_brief(trip, show_sensitive=sees_sensitive_notes(actor, trip))
    return render(
        request,
        "handoff/brief.html",
        _brief_context(brief, may_edit_trip=may(actor, Action.EDIT_TRIP, trip)),
    )


@member_required
@secret_page
@conditional_page
def brief_pdf(request: MemberRequest, pk: int) -> HttpResponse:
    trip = get_trip(request, pk, Action.READ_BRIEF)
    brief = build_brief(trip, show_sensitive=sees_sensitive_notes(actor_of(request), trip))
    html = render_to_string("handoff/brief_pdf.html", _brief_context(brief), request=request)
    return _pdf(html, f"brief-{trip.local_start:%Y-%m-%d}.pdf")


@member_required
@secret_page
@conditional_page
def fridge_sheet(request: MemberRequest, pk: int) -> HttpResponse:
    trip = get_trip(request, pk, Action.READ_BRIEF)
    brief = build_brief(trip, show_sensitive=False)
    return render(request, "handoff/fridge.html", _brief_context(brief))


def _emergency_card_context(household: Household) -> dict[str, object]:
    children = list(
        Child.objects.in_household(household).select_related("household").prefetch_related("foods")
    )
    attach_inline_thumbnails(children)
    return {
        "card_household": household,
        "children": children,
        "allergies": [f for c in children for f in c.foods.all() if f.kind == FoodKind.ALLERGY],
        "parents": Membership.objects.in_household(household)
        .filter(role=Role.PARENT)
        .select_related("user"),
        "backups": Contact.objects.in_household(household).backups()[:3],
    }


@requires(Action.READ_PROFILE)
@secret_page
@conditional_page
def emergency_card(request: MemberRequest) -> HttpResponse:
    return render(
        request, "handoff/emergency_card.html", _emergency_card_context(request.household)
    )


@requires(Action.READ_PROFILE)
@secret_page
def emergency_card_pdf(request: MemberRequest) -> HttpResponse:
    html = render_to_string(
        "handoff/emergency_card_pdf.html",
        _emergency_card_context(request.household),
        request=request,
    )
    return _pdf(html, "emergency-card.pdf")


@requires(Action.EDIT_PROFILE)
@require_POST
def card_printed(request: MemberRequest) -> HttpResponse:
    Household.objects.filter(pk=request.household.pk).update(
        emergency_card_printed_at=timezone.now()
    )
    messages.success(request, _("Noted: the emergency card is printed. Keep one in your wallet."))
    return redirect("handoff:readiness")


# -- Share links ----------------------------------------------------------------


@member_required
@secret_page
def share_links(request: MemberRequest, pk: int) -> HttpResponse:
    trip = get_trip(request, pk, Action.EDIT_TRIP)
    backup = Contact.objects.in_household(request.household).backups().first()
    form = ShareLinkForm(
        posted(request),
        household=request.household,
        initial={"label": backup.name if backup else "", "contact": backup},
    )
    if request.method == "POST" and form.is_valid():
        link, token = ShareLink.issue(trip, request.user, **form.cleaned_data)
        # Shown once, after a redirect, so reloading the page makes no second link.
        request.session[JUST_CREATED] = _ready_to_send(request, link, token)
        return redirect("handoff:share_links", pk=trip.pk)
    created = request.session.pop(JUST_CREATED, None) if request.method == "GET" else None
    links = list(trip.share_links.prefetch_related("opens"))
    return form_page(
        request,
        "handoff/share_links.html",
        form,
        {"trip": trip, "links": links, "created": created},
    )


def _ready_to_send(request: HttpRequest, link: ShareLink, token: str) -> dict[str, str]:
    url = request.build_absolute_uri(reverse("handoff:shared_brief", args=[token]))
    trip = link.trip
    # By first name: "Judy", not "Judy Stern" (the contact's name, else what was typed).
    greeting = (link.contact.name if link.contact else link.label).split(" ")[0] or link.label
    # In the caregiver's language, which the link's pages speak too.
    with translation.override(i18n.or_default(link.language)):
        message = gettext(
            "Hi %(name)s, here is everything about the kids while %(traveller)s is away "
            "(%(start)s to %(end)s): %(url)s"
        ) % {
            "name": greeting,
            "traveller": trip.traveller.get_short_name(),
            "start": formats.date_format(trip.local_start, gettext("D j M")),
            "end": formats.date_format(trip.local_end, gettext("D j M")),
            "url": url,
        }
    return {"url": url, "message": message}


@member_required
@require_POST
def revoke_share_link(request: MemberRequest, pk: int) -> HttpResponse:
    link = access.get_share_link(request, pk)
    check(actor_of(request), Action.EDIT_TRIP, link.trip)
    ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    messages.success(request, _("The link for %(name)s no longer works.") % {"name": link.label})
    return redirect("handoff:share_links", pk=link.trip_id)


def _shared_link(request: HttpRequest, token: str, page: str) -> ShareLink:
    # Every open counts, a forged link's too; the quick log counts only dead links.
    if not ratelimit.SHARE_LINKS.spend(request):
        raise TooManyRequests()
    link = ShareLink.find(token)
    if link is None:
        raise Http404("This link does not work.")
    act_as_share_link(request, link)  # first: the open logged below is its household's write
    with transaction.atomic():  # with the prep task the first one ticks (prep/outcomes.py)
        ShareLinkOpen.objects.create(link=link, page=page)
    return link


class TooManyRequests(Exception):
    pass


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@secret_page
def shared_brief(request: HttpRequest, token: str) -> HttpResponse:
    """The brief for someone without an account. Forged, expired and revoked tokens all
    get the same 404."""
    try:
        link = _shared_link(request, token, "brief")
    except TooManyRequests:
        return _private(ratelimit.too_many_requests())
    shows_codes = sees_sensitive_notes(actor_of(request))
    brief = build_brief(link.trip, show_sensitive=shows_codes)
    keep_until = link.kept_until(shows_codes=shows_codes)
    context = _brief_context(brief, shared=True, token=token, keep_until=keep_until)
    response = render(request, "handoff/brief.html", context)
    return _private(kept_offline_until(response, keep_until))


@secret_page
def shared_brief_pdf(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = _shared_link(request, token, "pdf")
    except TooManyRequests:
        return _private(ratelimit.too_many_requests())
    brief = build_brief(link.trip, show_sensitive=sees_sensitive_notes(actor_of(request)))
    html = render_to_string("handoff/brief_pdf.html", _brief_context(brief), request=request)
    return _private(_pdf(html, "brief.pdf"))


# -- Readiness and leaving now ------------------------------------------------------


@requires(Action.READ_PROFILE)
@conditional_page
def readiness_page(request: MemberRequest) -> HttpResponse:
    return _readiness(request, LeaveNowForm(today=request.household.today()))


def _readiness(request: MemberRequest, form: LeaveNowForm, status: int = 200) -> HttpResponse:
    checks = readiness(request.household)
    return render(
        request,
        "handoff/readiness.html",
        {
            "checks": checks,
            "score": score(checks),
            "children": Child.objects.in_household(request.household),
            "go_bag": GoBagItem.objects.in_household(request.household),
            "form": form,
        },
        status=status,
    )


@requires(Action.EDIT_PROFILE)
@require_POST
def confirm_health(request: MemberRequest, pk: int) -> HttpResponse:
    child = household_access.get_child(request, pk)
    child.health_reviewed_at = timezone.now()
    child.save(update_fields=["health_reviewed_at"])
    messages.success(
        request,
        _("%(child)s's allergies and medicines are confirmed as current.") % {"child": child.name},
    )
    return redirect(reverse("handoff:readiness") + "#review")


@requires(Action.EDIT_PROFILE)
@require_POST
def toggle_go_bag(request: MemberRequest, pk: int) -> HttpResponse:
    item = access.get_go_bag_item(request, pk)
    GoBagItem.objects.filter(pk=item.pk).update(ready=request.POST.get("ready") != "0")
    if request.htmx:  # type: ignore[attr-defined]
        item.refresh_from_db(fields=["ready"])
        return render(request, "handoff/readiness.html#go_bag_item", {"item": item})
    return redirect(reverse("handoff:readiness") + "#go-bag")


@requires(Action.PLAN_TRIPS)
@require_POST
def leave_now(request: MemberRequest) -> HttpResponse:
    """One tap: a short-notice trip from now, the first backup caregiver named for every
    night, and a share link ready to send."""
    household = request.household
    form = LeaveNowForm(request.POST, today=household.today())
    backup = Contact.objects.in_household(household).backups().first()
    if not form.is_valid():
        return _readiness(request, form, status=422)
    now = timezone.now()
    ends_at = datetime.combine(
        form.cleaned_data["back_on"], form.cleaned_data["back_at"], tzinfo=household.zone
    )
    trip = Trip(
        household=household,
        traveller=request.user,
        starts_at=now,
        ends_at=ends_at,
        destination=form.cleaned_data["destination"],
        destination_zone=household.time_zone,
        kind=TripKind.SHORT_NOTICE,
        notes=form.cleaned_data["notes"],
    )
    try:
        trip.full_clean()
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            target = "back_on" if field in ("ends_at", "starts_at", "__all__") else None
            for problem in problems:
                form.add_error(target, problem)
        return _readiness(request, form, status=422)
    with transaction.atomic():
        trip.save()
        if backup is not None:
            for night in trip.nights_list:
                Cover.objects.update_or_create(
                    household=household, night=night, defaults={"contact": backup, "member": None}
                )
        link, token = ShareLink.issue(
            trip,
            request.user,
            label=backup.name if backup else "Whoever covers",
            contact=backup,
            days_before=0,
            days_after=1,
        )
    ready = _ready_to_send(request, link, token)
    from homefront.notify.plan import leave_now as tell_the_cover

    tell_the_cover(trip, ready["url"])
    return render(
        request,
        "handoff/leave_now_done.html",
        {"trip": trip, "backup": backup, "ready": ready},
    )
