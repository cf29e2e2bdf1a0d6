"""The JSON API at /api/v1: the household's data for scripts, shortcuts and other apps.

Every operation authenticates with a personal access token (auth.py); the
household is the token's, and every object is fetched scoped to it, so another
household's id is a 404 like an id that does not exist. Writes go through the
same forms and model rules as the pages, and the journal through the same
`entries.store()` as the offline quick log.
"""

from __future__ import annotations

from typing import Any
from typing import TypeVar
from typing import cast

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.utils import timezone
from ninja import Field
from ninja import NinjaAPI
from ninja import Router
from ninja import Schema
from ninja.errors import AuthenticationError
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger
from ninja.pagination import LimitOffsetPagination
from ninja.pagination import paginate

from homefront.access import Action
from homefront.access import actor_of
from homefront.access import check
from homefront.access import in_visible_trips
from homefront.access import visible_trips
from homefront.api.auth import Answered
from homefront.api.auth import ApiRequest
from homefront.api.auth import read
from homefront.api.auth import write
from homefront.api.errors import ERRORS
from homefront.api.now import now_router
from homefront.api.schemas import MAX_ID
from homefront.api.schemas import ChildIn
from homefront.api.schemas import ChildOut
from homefront.api.schemas import ContactOut
from homefront.api.schemas import EntryOut
from homefront.api.schemas import FoodOut
from homefront.api.schemas import MedicineOut
from homefront.api.schemas import PrepTaskOut
from homefront.api.schemas import PrepTaskPatch
from homefront.api.schemas import RoutineOut
from homefront.api.schemas import ShareLinkOut
from homefront.api.schemas import SyncIn
from homefront.api.schemas import SyncOut
from homefront.api.schemas import TripIn
from homefront.api.schemas import TripOut
from homefront.core import conditional
from homefront.handoff.models import ShareLink
from homefront.households.forms import ChildForm
from homefront.households.models import Child
from homefront.households.models import Contact
from homefront.households.models import Food
from homefront.households.models import Medicine
from homefront.households.models import Routine
from homefront.journal import entries
from homefront.journal.entries import Author
from homefront.journal.models import JournalEntry
from homefront.prep.models import PrepTask
from homefront.trips.forms import TripForm
from homefront.trips.models import Trip
from homefront.trips.models import TripQuerySet

M = TypeVar("M", bound=Model)


class ConditionalApi(NinjaAPI):
    """Each read answered 200 carries the ETag of the household's data version and is
    kept under it; the next read with that tag is answered before the operation runs
    (auth.py's `Answered`): a 304, or the kept answer (core/conditional.py)."""

    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        tag = getattr(request, "_api_tag", None)
        if tag and response.status_code == 200:
            response["ETag"] = f'W/"{tag}"'
            response["Cache-Control"] = conditional.REVALIDATE
            conditional.keep_page(tag, response)
        return response


api = ConditionalApi(
    title="Homefront API",
    version="1",
    description="The household's data for scripts and phone shortcuts. See docs/api.md.",
    urls_namespace="api_v1",
    auth=read,
    docs=Swagger(),
)


# -- Errors: always {"detail": "a sentence a person can read"} ----------------------


def _error(request: HttpRequest, status: int, detail: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(Answered)
def answered(request: HttpRequest, exc: Exception) -> HttpResponse:
    assert isinstance(exc, Answered)
    return exc.response


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = _error(
        request,
        401,
        "Send a working API token: “Authorization: Bearer <token>”. "
        "Unknown, expired and revoked tokens are refused; make one at /api/tokens/.",
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 404, "Not found in your household.")


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 403, str(exc) or "You may not do this.")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and str(exc.message).startswith("Cannot parse request body"):
        return _error(request, 422, "The request body is not valid JSON.", errors={})
    response = _error(request, exc.status_code, str(exc.message))
    if exc.status_code == 429:
        response["Retry-After"] = "60"
    return response


@api.exception_handler(NinjaValidationError)
def invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for problem in exc.errors:
        # ("body", "payload", "birth_date") names the field birth_date; ("query", "limit") limit.
        where, *location = [str(part) for part in problem.get("loc", ())] or ["body"]
        if where == "body" and location:
            location = location[1:]
        field = ".".join(location)
        errors.setdefault(field or "body", []).append(str(problem.get("msg", "is not valid")))
    detail = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())
    return _error(request, 422, detail or "The request is not valid.", errors=errors)


def form_errors(request: HttpRequest, form: BaseForm, renamed: dict[str, str]) -> HttpResponse:
    """A form's errors as a 422, named after the API's fields."""
    errors: dict[str, list[str]] = {}
    for name, messages in form.errors.items():
        errors.setdefault(renamed.get(name, name), []).extend(str(m) for m in messages)
    detail = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())
    return _error(request, 422, detail, errors=errors)


# -- Scoping ---------------------------------------------------------------------------


class Page(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=100)
        offset: int = Field(0, ge=0, le=1_000_000)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=100, **kwargs)


def scoped(request: ApiRequest, queryset: QuerySet[M], pk: int) -> M:
    if not 1 <= pk <= MAX_ID:
        raise Http404
    found = queryset.in_household(request.household).filter(pk=pk).first()  # type: ignore[attr-defined]
    if found is None:
        raise Http404
    return cast(M, found)


def allowed(request: ApiRequest, action: Action, trip: Trip | None = None) -> None:
    """The access policy's answer for the token's member: 404 or 403 with its reason."""
    check(actor_of(request), action, trip)


def of_visible_trips(request: ApiRequest, rows: QuerySet[M], trip: int | None) -> QuerySet[M]:
    """A household's rows of the trip asked for (404 if the member may not open it), or of
    every trip they may open."""
    if trip is None:
        return in_visible_trips(actor_of(request), rows)
    allowed(request, Action.READ_TRIP, scoped(request, _trips(), trip))
    return rows.filter(trip_id=trip)


# -- The household's profile --------------------------------------------------------

profile = Router(tags=["profile"])


@profile.get("/children", response={200: list[ChildOut], **ERRORS}, url_name="children")
@paginate(Page)
def list_children(request: ApiRequest) -> QuerySet[Child]:
    return Child.objects.in_household(request.household).select_related("household")


@profile.post("/children", response={201: ChildOut, **ERRORS}, auth=write)
def create_child(request: ApiRequest, payload: ChildIn) -> tuple[int, Child] | HttpResponse:
    allowed(request, Action.EDIT_PROFILE)
    form = ChildForm(
        {
            "name": payload.name,
            "birth_date": payload.birth_date.isoformat(),
            "notes": payload.notes,
        },
        instance=Child(household=request.household),
    )
    if not form.is_valid():
        return form_errors(request, form, {})
    return 201, form.save()


@profile.get("/children/{pk}", response={200: ChildOut, **ERRORS}, url_name="child")
def get_child(request: ApiRequest, pk: int) -> Child:
    return scoped(request, Child.objects.select_related("household"), pk)


@profile.get("/routines", response={200: list[RoutineOut], **ERRORS}, url_name="routines")
@paginate(Page)
def list_routines(request: ApiRequest) -> QuerySet[Routine]:
    return Routine.objects.in_household(request.household).order_by("child_id", "time", "pk")


@profile.get("/routines/{pk}", response={200: RoutineOut, **ERRORS}, url_name="routine")
def get_routine(request: ApiRequest, pk: int) -> Routine:
    return scoped(request, Routine.objects.all(), pk)


@profile.get("/foods", response={200: list[FoodOut], **ERRORS}, url_name="foods")
@paginate(Page)
def list_foods(request: ApiRequest) -> QuerySet[Food]:
    return Food.objects.in_household(request.household).order_by("child_id", "kind", "name", "pk")


@profile.get("/foods/{pk}", response={200: FoodOut, **ERRORS}, url_name="food")
def get_food(request: ApiRequest, pk: int) -> Food:
    return scoped(request, Food.objects.all(), pk)


@profile.get("/medicines", response={200: list[MedicineOut], **ERRORS}, url_name="medicines")
@paginate(Page)
def list_medicines(request: ApiRequest) -> QuerySet[Medicine]:
    return Medicine.objects.in_household(request.household).order_by("child_id", "name", "pk")


@profile.get("/medicines/{pk}", response={200: MedicineOut, **ERRORS}, url_name="medicine")
def get_medicine(request: ApiRequest, pk: int) -> Medicine:
    return scoped(request, Medicine.objects.all(), pk)


@profile.get("/contacts", response={200: list[ContactOut], **ERRORS}, url_name="contacts")
@paginate(Page)
def list_contacts(request: ApiRequest) -> QuerySet[Contact]:
    return Contact.objects.in_household(request.household)


@profile.get("/contacts/{pk}", response={200: ContactOut, **ERRORS}, url_name="contact")
def get_contact(request: ApiRequest, pk: int) -> Contact:
    return scoped(request, Contact.objects.all(), pk)


# -- Trips, prep, share links and the journal ------------------------------------------

trips = Router(tags=["trips"])


def _trips() -> TripQuerySet:
    return Trip.objects.select_related("household", "traveller")


@trips.get("/trips", response={200: list[TripOut], **ERRORS}, url_name="trips")
@paginate(Page)
def list_trips(request: ApiRequest) -> QuerySet[Trip]:
    return visible_trips(actor_of(request), _trips()).order_by("starts_at", "pk")


@trips.post("/trips", response={201: TripOut, **ERRORS}, auth=write)
def create_trip(request: ApiRequest, payload: TripIn) -> tuple[int, Trip] | HttpResponse:
    allowed(request, Action.PLAN_TRIPS)
    data = {
        "traveller": str(payload.traveller or request.auth.user_id),
        "start_date": payload.start_date.isoformat(),
        "start_time": payload.start_time.strftime("%H:%M"),
        "start_fold": "" if payload.start_fold is None else str(payload.start_fold),
        "end_date": payload.end_date.isoformat(),
        "end_time": payload.end_time.strftime("%H:%M"),
        "end_fold": "" if payload.end_fold is None else str(payload.end_fold),
        "destination": payload.destination,
        "destination_zone": payload.destination_zone or request.household.time_zone,
        "kind": payload.kind,
        "notes": payload.notes,
    }
    form = TripForm(data, household=request.household)
    if not form.is_valid():
        # The form speaks of the inputs the API takes, except that `…_time` carries
        # the DST questions the page asks next to the time.
        return form_errors(request, form, {})
    trip = form.save()
    return 201, _trips().get(pk=trip.pk)


@trips.get("/trips/{pk}", response={200: TripOut, **ERRORS}, url_name="trip")
def get_trip(request: ApiRequest, pk: int) -> Trip:
    trip = scoped(request, _trips(), pk)
    allowed(request, Action.READ_TRIP, trip)
    return trip


@trips.get(
    "/trips/{pk}/share-links", response={200: list[ShareLinkOut], **ERRORS}, url_name="share_links"
)
@paginate(Page)
def list_share_links(request: ApiRequest, pk: int) -> QuerySet[ShareLink]:
    """The trip's private links: who they are for and when they work, never their tokens."""
    trip = scoped(request, _trips(), pk)
    allowed(request, Action.EDIT_TRIP, trip)
    return ShareLink.objects.filter(trip=trip).select_related("trip__household")


@trips.post(
    "/trips/{pk}/journal/sync",
    response={200: SyncOut, **ERRORS},
    auth=write,
    url_name="journal_sync",
)
def sync_journal(request: ApiRequest, pk: int, payload: SyncIn) -> dict[str, Any]:
    """The quick log's offline batch: each entry stored once by its uuid, however often sent."""
    trip = scoped(request, _trips(), pk)
    allowed(request, Action.LOG_JOURNAL, trip)
    outcomes = entries.store(trip, Author(user=request.auth.user), list(payload.entries))
    return {"results": [outcome.as_json() for outcome in outcomes]}


@trips.get("/prep-tasks", response={200: list[PrepTaskOut], **ERRORS}, url_name="prep_tasks")
@paginate(Page)
def list_prep_tasks(request: ApiRequest, trip: int | None = None) -> QuerySet[PrepTask]:
    tasks = PrepTask.objects.in_household(request.household).order_by("due_on", "pk")
    return of_visible_trips(request, tasks, trip)


@trips.get("/prep-tasks/{pk}", response={200: PrepTaskOut, **ERRORS}, url_name="prep_task")
def get_prep_task(request: ApiRequest, pk: int) -> PrepTask:
    task = scoped(request, PrepTask.objects.select_related("trip__household"), pk)
    allowed(request, Action.READ_TRIP, task.trip)
    return task


@trips.patch("/prep-tasks/{pk}", response={200: PrepTaskOut, **ERRORS}, auth=write)
def patch_prep_task(request: ApiRequest, pk: int, payload: PrepTaskPatch) -> PrepTask:
    """Tick a task done (or not), as the prep page does; ticking twice changes nothing."""
    task = scoped(request, PrepTask.objects.select_related("trip__household"), pk)
    allowed(request, Action.TICK_PREP, task.trip)
    if payload.done:
        PrepTask.objects.filter(pk=task.pk, done_at__isnull=True).update(
            done_at=timezone.now(), done_by=request.auth.user
        )
    else:
        PrepTask.objects.filter(pk=task.pk).update(done_at=None, done_by=None)
    task.refresh_from_db(fields=["done_at", "done_by"])
    return task


@trips.get("/journal-entries", response={200: list[EntryOut], **ERRORS}, url_name="journal_entries")
@paginate(Page)
def list_journal_entries(request: ApiRequest, trip: int | None = None) -> QuerySet[JournalEntry]:
    found = (
        JournalEntry.objects.alive()
        .in_household(request.household)
        .select_related("author", "share_link")
        .prefetch_related("children")
        .order_by("-occurred_at", "-pk")
    )
    return of_visible_trips(request, found, trip)


@trips.get("/journal-entries/{pk}", response={200: EntryOut, **ERRORS}, url_name="journal_entry")
def get_journal_entry(request: ApiRequest, pk: int) -> JournalEntry:
    entry = scoped(
        request,
        JournalEntry.objects.alive()
        .select_related("author", "share_link", "trip__household")
        .prefetch_related("children"),
        pk,
    )
    allowed(request, Action.READ_TRIP, entry.trip)
    return entry


api.add_router("", profile)
api.add_router("", trips)
api.add_router("", now_router)
