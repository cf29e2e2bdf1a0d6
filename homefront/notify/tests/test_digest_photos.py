"""The kids'-day email carries a few of the day's photos inline, checked at a real SMTP
server: the images arrive inside the message (multipart/related, Content-ID), never as
links that would need a login."""

from __future__ import annotations

import email
import re
from email import policy
from email.message import EmailMessage

import pytest
from django.utils import timezone

from homefront.journal.models import JournalEntry
from homefront.journal.models import Kind
from homefront.notify.delivery import deliver
from homefront.notify.digest_photos import MAX_PHOTOS
from homefront.notify.models import MessageKind
from homefront.notify.tests.test_plan import NOW  # noqa: F401 (frozen_time's NOW)
from homefront.notify.tests.test_plan import of_kind
from homefront.notify.tests.test_plan import pat_mail  # noqa: F401 (a fixture)
from homefront.notify.tests.test_plan import plan_as_two_workers
from homefront.notify.tests.test_plan import trip  # noqa: F401 (a fixture)
from homefront.photos.models import PhotoImage
from homefront.photos.models import Size
from homefront.photos.testing import store_photo_for
from homefront.testing.journal import log
from homefront.testing.receivers import smtp_server
from homefront.testing.zones import denver

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def mail_server(settings):
    with smtp_server() as (mailbox, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = False
        yield mailbox


def the_day_with_photos(family, trip, frozen_time, photos: int) -> list:  # noqa: F811
    """A bath and `photos` photo entries on Friday 15 January in Albuquerque, planned and
    sent at half past eight in the evening there."""
    frozen_time.move_to(denver(2027, 1, 15, 19))
    log(trip, denver(2027, 1, 15, 18, 45), Kind.BATH, by=family.caregiver)
    kept = []
    for n in range(photos):
        entry = log(trip, denver(2027, 1, 15, 10 + n), Kind.PHOTO, by=family.caregiver)
        kept.append(store_photo_for(entry, family.child))
    return kept


def send_the_digest() -> None:
    """The kids' day, planned at half past eight there, sent through the real server (the
    other messages of the trip stay unsent)."""
    plan_as_two_workers()
    [message] = of_kind(MessageKind.JOURNAL_DIGEST)
    assert deliver(message.pk, "w1") == "sent"


def received(mailbox) -> EmailMessage:
    [raw] = mailbox.received
    # Read again from its bytes, as a mail program would.
    return email.message_from_bytes(raw.as_bytes(), policy=policy.default)  # type: ignore[return-value]


def test_the_days_photos_arrive_inline_in_the_email(
    family,
    trip,  # noqa: F811
    pat_mail,  # noqa: F811
    frozen_time,
    mail_server,
):
    photos = the_day_with_photos(family, trip, frozen_time, photos=2)
    frozen_time.move_to(denver(2027, 1, 15, 20, 30))
    plan_as_two_workers()
    [message] = of_kind(MessageKind.JOURNAL_DIGEST)
    assert message.data["photos"] == [photo.pk for photo in photos]

    assert deliver(message.pk, "w1") == "sent"

    letter = received(mail_server)
    assert letter.get_content_type() == "multipart/related"
    html = letter.get_body(preferencelist=("html",)).get_content()
    cids = re.findall(r'<img src="cid:([^"]+)"', html)
    assert len(cids) == 2
    images = {
        part["Content-ID"].strip("<>"): part
        for part in letter.walk()
        if part.get_content_maintype() == "image"
    }
    assert set(images) == set(cids)
    for photo, cid in zip(photos, cids, strict=True):
        part = images[cid]
        assert part.get_content_type() == "image/jpeg"
        assert part.get_content_disposition() == "inline"
        thumbnail = PhotoImage.objects.get(photo=photo, size=Size.THUMBNAIL)
        assert part.get_content() == bytes(thumbnail.data)
    # No address to fetch a photo from: nothing that would need a login, or leak.
    assert "http" not in html.replace("http://www.w3.org", "")
    assert "/photos/" not in html
    assert "Raw currants" in html  # the caption, as the image's text
    text = letter.get_body(preferencelist=("plain",)).get_content()
    assert "Bath" in text


def test_only_a_few_photos_go_by_email(
    family,
    trip,  # noqa: F811
    pat_mail,  # noqa: F811
    frozen_time,
    mail_server,
):
    photos = the_day_with_photos(family, trip, frozen_time, photos=MAX_PHOTOS + 2)
    frozen_time.move_to(denver(2027, 1, 15, 20, 30))
    send_the_digest()

    letter = received(mail_server)
    images = [part for part in letter.walk() if part.get_content_maintype() == "image"]
    assert len(images) == MAX_PHOTOS
    first = PhotoImage.objects.get(photo=photos[0], size=Size.THUMBNAIL)
    assert images[0].get_content() == bytes(first.data)  # the day's first photos


def test_a_photo_deleted_before_the_email_goes_is_not_sent(
    family,
    trip,  # noqa: F811
    pat_mail,  # noqa: F811
    frozen_time,
    mail_server,
):
    kept, gone = the_day_with_photos(family, trip, frozen_time, photos=2)
    frozen_time.move_to(denver(2027, 1, 15, 20, 30))
    plan_as_two_workers()
    JournalEntry.objects.filter(pk=gone.entry_id).update(deleted_at=timezone.now())

    send_the_digest()

    letter = received(mail_server)
    images = [part for part in letter.walk() if part.get_content_maintype() == "image"]
    assert [part["Content-ID"] for part in images] == [f"<photo-{kept.pk}@homefront>"]
    html = letter.get_body(preferencelist=("html",)).get_content()
    assert f"photo-{gone.pk}@" not in html


def test_a_day_without_photos_is_a_plain_email(
    family,
    trip,  # noqa: F811
    pat_mail,  # noqa: F811
    frozen_time,
    mail_server,
):
    the_day_with_photos(family, trip, frozen_time, photos=0)
    frozen_time.move_to(denver(2027, 1, 15, 20, 30))
    send_the_digest()

    letter = received(mail_server)
    assert letter.get_content_type() == "multipart/alternative"
    assert "cid:" not in letter.get_body(preferencelist=("html",)).get_content()
