"""Keeping a photo: one set of rules for the quick log's form, its offline queue and the API.

A photo arrives with the id the phone gave it. It is stored once: sent again (a lost
answer, a retry) it is found by its id and the same bytes; the same id with other
bytes is reported and not stored. The processing (re-encoding, refusals) happens
before the transaction, so a refused or cut-off upload leaves no row at all.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import IO
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homefront.households.validators import validate_plain_text
from homefront.journal import entries
from homefront.journal.models import JournalEntry
from homefront.journal.models import Kind
from homefront.photos.models import CAPTION_LENGTH
from homefront.photos.models import Photo
from homefront.photos.processing import PhotoRefused
from homefront.photos.processing import process_photo
from homefront.photos.processing import read_upload
from homefront.photos.signals import photo_stored
from homefront.trips.models import Trip

# The standalone "photo" entry of an upload gets an id derived from the photo's, so a
# resend finds the same entry.
PHOTO_ENTRY_NAMESPACE = uuid.UUID("7f9d3c1e-2b4a-4f6e-9a8d-0c5b1e2f3a4d")


@dataclass
class Outcome:
    uuid: str
    status: str  # stored, duplicate, conflict, refused, waiting
    errors: dict[str, str] = field(default_factory=dict)
    photo: Photo | None = None

    @property
    def kept(self) -> bool:
        return self.status in ("stored", "duplicate")

    def as_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {"uuid": self.uuid, "status": self.status}
        if self.errors:
            result["errors"] = self.errors
        if self.photo is not None:
            result["photo"] = self.photo.pk
            result["entry"] = str(self.photo.entry.uuid)
        return result


@dataclass
class Sent:
    """One photo as a phone or a form sent it."""

    uuid: str
    upload: bytes | IO[bytes]
    caption: str = ""
    children: list[int] = field(default_factory=list)
    entry_uuid: str = ""  # the entry it belongs to; none: a "photo" entry of its own
    taken_at: str = ""


def photo_entry_uuid(photo_uuid: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(PHOTO_ENTRY_NAMESPACE, str(photo_uuid))


def store(trip: Trip, author: entries.Author, sent: Sent, now: datetime | None = None) -> Outcome:
    now = now or timezone.now()
    try:
        photo_uuid = uuid.UUID(str(sent.uuid))
    except ValueError:
        return _refused(sent.uuid, "uuid", _("Each photo needs the id its phone gave it."))
    if entries.logging_closed(trip, now):
        return _refused(
            sent.uuid, "when", _("This trip's journal is closed: the photo was not added.")
        )
    caption_problem = _caption_problem(sent.caption)
    if caption_problem:
        return _refused(sent.uuid, "caption", caption_problem)
    try:
        data = read_upload(sent.upload)
    except PhotoRefused as refused:
        return _refused(sent.uuid, "photo", refused.message)
    known = _known(trip, photo_uuid, data)
    if known is not None:
        return known
    try:
        processed = process_photo(
            data, household_bytes_used=Photo.objects.stored_bytes(trip.household)
        )
    except PhotoRefused as refused:
        return _refused(sent.uuid, "photo", refused.message)
    try:
        with transaction.atomic():
            entry_or_outcome = _entry_for(trip, author, photo_uuid, sent, now)
            if isinstance(entry_or_outcome, Outcome):
                transaction.set_rollback(True)
                return entry_or_outcome
            photo = _save(trip, author, entry_or_outcome, photo_uuid, sent, processed)
    except IntegrityError:
        # Another request stored this id between the look-up and the insert.
        return _known(trip, photo_uuid, data) or _conflict(sent.uuid)
    return Outcome(sent.uuid, "stored", photo=photo)


def _refused(sent_uuid: str, field_name: str, message: str) -> Outcome:
    return Outcome(str(sent_uuid), "refused", errors={field_name: message})


def _conflict(sent_uuid: str) -> Outcome:
    return Outcome(
        str(sent_uuid),
        "conflict",
        errors={
            "uuid": _(
                "A different photo was already sent with this id; the first one is kept "
                "and this one was not stored."
            )
        },
    )


def _caption_problem(caption: str) -> str:
    if len(caption) > CAPTION_LENGTH:
        return _("Keep the caption under %(length)d characters.") % {"length": CAPTION_LENGTH}
    try:
        validate_plain_text(caption)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


def _known(trip: Trip, photo_uuid: uuid.UUID, data: bytes) -> Outcome | None:
    """The outcome for an id already stored: the same photo again, or another under its id."""
    stored = Photo.objects.select_related("entry").filter(uuid=photo_uuid).first()
    if stored is None:
        return None
    same = stored.trip_id == trip.pk and stored.upload_sha256 == hashlib.sha256(data).hexdigest()
    return (
        Outcome(str(photo_uuid), "duplicate", photo=stored) if same else _conflict(str(photo_uuid))
    )


def _entry_for(
    trip: Trip, author: entries.Author, photo_uuid: uuid.UUID, sent: Sent, now: datetime
) -> JournalEntry | Outcome:
    """The entry the photo belongs to: the one named, or a "photo" entry of its own."""
    if sent.entry_uuid:
        try:
            key = uuid.UUID(str(sent.entry_uuid))
        except ValueError:
            return _refused(sent.uuid, "entry", _("That entry id is not one Homefront made."))
        entry = JournalEntry.objects.alive().filter(trip=trip, uuid=key).first()
        if entry is None:
            # Its entry is still on its way from the phone's queue: send the photo later.
            return Outcome(
                str(sent.uuid), "waiting", errors={"entry": _("Its entry has not arrived yet.")}
            )
        return entry
    raw = {
        "uuid": str(photo_entry_uuid(photo_uuid)),
        "kind": Kind.PHOTO,
        "children": sent.children,
        "occurred_at": sent.taken_at or now.isoformat(),
        "details": {},
        "text": sent.caption,
    }
    [outcome] = entries.store(trip, author, [raw], now)
    if outcome.entry is None or outcome.status not in ("stored", "duplicate"):
        field_name, message = next(iter(outcome.errors.items()), ("photo", _("Not stored.")))
        # The entry's time outside the trip's journal is "when"; the rest is the photo's.
        where = {"children": "children", "occurred_at": "when"}.get(field_name, "photo")
        return _refused(sent.uuid, where, message)
    return outcome.entry


def _save(
    trip: Trip,
    author: entries.Author,
    entry: JournalEntry,
    photo_uuid: uuid.UUID,
    sent: Sent,
    processed: Any,
) -> Photo:
    family = entries.family_children(trip)
    children = [child_id for child_id in sent.children if child_id in family]
    if not children:
        children = list(entry.children.values_list("pk", flat=True))
    photo = Photo.objects.create_processed(
        processed,
        entry,
        uuid=photo_uuid,
        trip=trip,
        household_id=trip.household_id,
        caption=sent.caption,
        **author.fields,
    )
    photo.children.set(children)
    photo_stored.send(
        sender=Photo,
        photo=photo,
        children=[family[child_id].name for child_id in children if child_id in family],
        author_id=author.user_id,
    )
    photo.entry = entry
    return photo
