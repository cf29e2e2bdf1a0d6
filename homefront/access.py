"""The access policy: what each actor may do to each thing of a household.

Every door into a household's data asks here: pages, the JSON API, calendar
feeds, PDFs, share links and the service worker's pages alike. No view tests a
role or a cover by itself; it names an `Action` and, for a trip's things, the
trip, and this module answers.

Who asks (an `Actor`):
- a parent of the household: everything;
- a caregiver member: the profile (sensitive notes only while covering a trip
  under way or starting within a day), the family calendar, their own feeds,
  tokens and channels, and for a trip they cover (they are named in charge of
  at least one of its nights) its page, brief, prep list (ticking its tasks),
  packing list, journal and debrief; of any other trip only what the calendar
  shows. They never change the profile, members, trips, the household's
  channels or exports;
- a share link: the brief of its one trip and the quick log of its one trip,
  while the link works (forged, expired and revoked links never reach here);
- an API token: its member, as above; a read token writes nothing (api/auth.py);
- anyone else: nothing.

Two kinds of no: a thing the actor may not know exists is a 404 (another
household's, a trip a caregiver does not cover); a thing they see but may not
change is a 403 that names the role it takes.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Container
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from enum import StrEnum
from functools import cached_property
from functools import wraps
from typing import TYPE_CHECKING
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from homefront import i18n
from homefront.households.models import Household
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.trips.models import Cover
from homefront.trips.models import Trip
from homefront.trips.models import TripQuerySet

if TYPE_CHECKING:
    from homefront.accounts.models import User
    from homefront.handoff.models import ShareLink

View = Callable[..., HttpResponse]

# A caregiver sees the alarm code from the day before the trip they cover: they may
# arrive the evening before.
SENSITIVE_LEAD = timedelta(days=1)
PARENTS_ONLY = "Only a parent of this household can do this."


class Action(StrEnum):
    # The household as a whole.
    READ_PROFILE = "read_profile"  # children, routines, foods, contacts, notes, today
    EDIT_PROFILE = "edit_profile"  # ...and the household's settings, checklist, go-bag
    READ_SENSITIVE_NOTES = "read_sensitive_notes"
    READ_CALENDAR = "read_calendar"  # who is away when: calendar, trip list, feeds
    PLAN_TRIPS = "plan_trips"  # new trips, work-calendar imports, leaving now, goals
    READ_INSIGHTS = "read_insights"  # across every trip's journal
    MANAGE_MEMBERS = "manage_members"
    MANAGE_HOUSEHOLD_CHANNELS = "manage_household_channels"  # contacts' and the log
    KEEP_OWN_ACCESS = "keep_own_access"  # one's own feeds, tokens, channels
    EXPORT = "export"
    # One trip and what hangs from it.
    READ_TRIP = "read_trip"  # trip page, prep and packing lists, journal, debrief
    READ_BRIEF = "read_brief"  # the brief, its PDF, the fridge sheet
    TICK_PREP = "tick_prep"
    LOG_JOURNAL = "log_journal"
    EDIT_TRIP = "edit_trip"  # dates, covers, prep and packing, share links, reflection


HOUSEHOLD_ACTIONS = frozenset(
    {
        Action.READ_PROFILE,
        Action.EDIT_PROFILE,
        Action.READ_SENSITIVE_NOTES,
        Action.READ_CALENDAR,
        Action.PLAN_TRIPS,
        Action.READ_INSIGHTS,
        Action.MANAGE_MEMBERS,
        Action.MANAGE_HOUSEHOLD_CHANNELS,
        Action.KEEP_OWN_ACCESS,
        Action.EXPORT,
    }
)
# What a member of either role may do to the household as a whole.
MEMBER_ACTIONS = frozenset({Action.READ_PROFILE, Action.READ_CALENDAR, Action.KEEP_OWN_ACCESS})
# What a caregiver may do to a trip they cover, and a share link to its own trip.
COVERING_ACTIONS = frozenset(
    {Action.READ_TRIP, Action.READ_BRIEF, Action.TICK_PREP, Action.LOG_JOURNAL}
)
SHARE_LINK_ACTIONS = frozenset({Action.READ_BRIEF, Action.LOG_JOURNAL})


class Everything(Container[object]):
    """The trips a parent may open: all of them."""

    def __contains__(self, item: object) -> bool:
        return True


@dataclass(eq=False)
class Actor:
    """Who is asking: a member (through a session or an API token), a share link, or nobody."""

    household: Household | None = None
    user: User | None = None
    membership: Membership | None = None
    share_link: ShareLink | None = None

    @property
    def is_member(self) -> bool:
        return self.membership is not None

    @property
    def is_parent(self) -> bool:
        return self.membership is not None and self.membership.role == Role.PARENT

    @property
    def role(self) -> str:
        """The member's role's name, "" for a share link or nobody (a page's tag has it)."""
        return str(self.membership.role) if self.membership is not None else ""

    @property
    def is_caregiver(self) -> bool:
        return self.membership is not None and self.membership.role == Role.CAREGIVER

    def covers(self, trip: Trip) -> bool:
        """Named in charge of at least one night of the trip."""
        return trip.household_id == getattr(self.household, "pk", None) and (
            trip.pk in self.covered_trip_ids
        )

    @cached_property
    def covered_trip_ids(self) -> frozenset[int]:
        """The household's trips with a night this member is in charge of."""
        if not self.is_member or self.user is None or self.household is None:
            return frozenset()
        nights = set(
            Cover.objects.filter(household=self.household, member=self.user).values_list(
                "night", flat=True
            )
        )
        if not nights:
            return frozenset()
        candidates = Trip.objects.filter(
            household=self.household,
            starts_at__lt=_moment(max(nights) + timedelta(days=2), self.household),
            ends_at__gt=_moment(min(nights), self.household),
        ).select_related("household")
        return frozenset(trip.pk for trip in candidates if nights.intersection(trip.nights_list))

    @property
    def openable_trips(self) -> Container[object]:
        """Ids of the trips whose page this actor may open, for links on lists and calendars."""
        if self.is_parent:
            return Everything()
        if self.share_link is not None:
            return frozenset({self.share_link.trip_id})
        return self.covered_trip_ids

    def sees_trip(self, trip: Trip) -> bool:
        """May know the trip is more than a line on the calendar."""
        if self.share_link is not None:
            return trip.pk == self.share_link.trip_id
        if self.household is None or trip.household_id != self.household.pk:
            return False
        return self.is_parent or self.covers(trip)


def _moment(day: date, household: Household) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=household.zone)


def may(actor: Actor, action: Action, trip: Trip | None = None) -> bool:
    """Whether `actor` may do `action`, to `trip` for the trip's actions."""
    if action in HOUSEHOLD_ACTIONS:
        if action == Action.READ_SENSITIVE_NOTES:
            return sees_sensitive_notes(actor, trip)
        if not actor.is_member:
            return False
        return actor.is_parent or action in MEMBER_ACTIONS
    if trip is None:
        raise TypeError(f"{action} is done to a trip: name it.")
    if not actor.sees_trip(trip):
        return False
    if actor.share_link is not None:
        return action in SHARE_LINK_ACTIONS
    return actor.is_parent or action in COVERING_ACTIONS


def check(actor: Actor, action: Action, trip: Trip | None = None) -> None:
    """Raise 404 for what the actor may not know of, 403 for what they see but may not do."""
    if trip is not None and not actor.sees_trip(trip):
        raise Http404("No such trip.")
    if not may(actor, action, trip):
        if actor.share_link is not None or not actor.is_member:
            raise Http404("Not found.")
        raise PermissionDenied(PARENTS_ONLY)


def sees_sensitive_notes(actor: Actor, trip: Trip | None = None) -> bool:
    """Alarm and door codes: parents always; the caregiver in charge, or the holder of a
    trip's share link, only while a trip they cover is under way or starts within a day."""
    if actor.is_parent:
        return True
    now = timezone.now()
    if actor.share_link is not None:
        return _soon_or_under_way(actor.share_link.trip, now)
    if not actor.is_caregiver or actor.household is None:
        return False
    trips = Trip.objects.filter(pk__in=actor.covered_trip_ids).active()
    return trips.filter(starts_at__lte=now + SENSITIVE_LEAD, ends_at__gt=now).exists()


def _soon_or_under_way(trip: Trip, now: datetime) -> bool:
    return trip.cancelled_at is None and trip.starts_at - SENSITIVE_LEAD <= now < trip.ends_at


def may_edit_entry(actor: Actor, entry: Any) -> bool:
    """Parents edit any entry; others the entries they wrote (on a trip they see)."""
    if actor.is_parent:
        return True
    return actor.user is not None and entry.author_id == actor.user.pk


def in_visible_trips(actor: Actor, rows: QuerySet[Any]) -> QuerySet[Any]:
    """Of a household's rows that hang from a trip (`trip_id`), those of trips the actor
    may open."""
    if actor.is_parent:
        return rows
    return rows.filter(trip_id__in=actor.covered_trip_ids)


def visible_trips(actor: Actor, trips: TripQuerySet) -> TripQuerySet:
    """Of `trips`, those the actor may open (for lists and the API)."""
    if actor.household is None:
        return trips.none()
    trips = trips.filter(household=actor.household)
    if actor.is_parent:
        return trips
    return trips.filter(pk__in=actor.covered_trip_ids)


# -- From a request ---------------------------------------------------------------


def actor_of(request: HttpRequest) -> Actor:
    """The actor of a request: its member (session or API token), once per request."""
    membership: Membership | None = getattr(request, "membership", None)
    found: Actor | None = getattr(request, "_actor", None)
    if found is None or (found.share_link is None and found.membership is not membership):
        user = getattr(request, "user", None)
        if membership is not None and (user is None or user.pk != membership.user_id):
            user = membership.user  # an API token's member, whoever the session is
        found = Actor(
            household=membership.household if membership else None,
            user=user if membership else None,
            membership=membership,
        )
        request._actor = found  # type: ignore[attr-defined]
    return found


def member_actor(household: Household, user_id: int) -> Actor:
    """The household's member `user_id`, as a calendar feed acts: no one once they left."""
    membership = (
        Membership.objects.filter(household=household, user_id=user_id)
        .select_related("user", "household")
        .first()
    )
    if membership is None:
        return Actor()
    return Actor(household=household, user=membership.user, membership=membership)


def act_as_share_link(request: HttpRequest, link: ShareLink) -> Actor:
    """From here on the request is the link's: its trip's brief and quick log, nothing else,
    in the language the parent chose for it."""
    actor = Actor(household=link.trip.household, share_link=link)
    request._actor = actor  # type: ignore[attr-defined]
    i18n.use(request, link.language)
    return actor


def member_required(view: View) -> View:
    """Signed in and a member of a household; otherwise off to sign in or create one."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request, "membership", None) is None:
            return redirect("households:create")
        return view(request, *args, **kwargs)

    wrapper.member_required = True  # type: ignore[attr-defined]
    return wrapper


def requires(action: Action) -> Callable[[View], View]:
    """A member who may do `action` to the household; 403 naming the role otherwise."""
    if action not in HOUSEHOLD_ACTIONS:
        raise TypeError(f"{action} is done to a trip: check it with the trip in the view.")

    def decorate(view: View) -> View:
        @member_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            check(actor_of(request), action)
            return view(request, *args, **kwargs)

        wrapper.member_required = True  # type: ignore[attr-defined]
        wrapper.action = action  # type: ignore[attr-defined]
        wrapper.parent_required = action not in MEMBER_ACTIONS  # type: ignore[attr-defined]
        return wrapper

    return decorate


def get_trip(request: HttpRequest, pk: int, action: Action = Action.READ_TRIP) -> Trip:
    """The household's trip `pk`, if the request's actor may do `action` to it."""
    actor = actor_of(request)
    if actor.household is None:
        raise Http404("No such trip.")
    trip = (
        Trip.objects.in_household(actor.household)
        .select_related("traveller", "household")
        .filter(pk=pk)
        .first()
    )
    if trip is None:
        raise Http404("No such trip.")
    check(actor, action, trip)
    return trip


class Permissions:
    """What the actor may do, for templates: `{% if may.edit_profile %}`."""

    def __init__(self, actor: Actor) -> None:
        self._actor = actor

    def __getattr__(self, name: str) -> bool:
        try:
            action = Action(name)
        except ValueError:
            raise AttributeError(name) from None
        if action not in HOUSEHOLD_ACTIONS:
            raise AttributeError(f"{name} needs a trip; the view says it")
        return may(self._actor, action)

    @property
    def trips(self) -> Container[object]:
        """`{% if trip.pk in may.trips %}`: the trips whose page opens."""
        return self._actor.openable_trips
