"""A few of the day's photos inside the kids'-day email.

The photos travel in the email itself, as inline images (multipart/related, each
named by a Content-ID the HTML points at): a link would need a login on the phone
that reads the mail, and would leak the photo to whoever the mail is forwarded to
for as long as the link lived. Small thumbnails only (~400 px, a few tens of kB
each), and a few of them: the rest wait on the timeline.

The message keeps only the photos' ids (`Message.data["photos"]`); their bytes are
read when it is sent, so a photo deleted in between (its entry deleted) is not sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.mime.image import MIMEImage
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

MAX_PHOTOS = 4


@dataclass(frozen=True)
class InlinePhoto:
    pk: int
    caption: str

    @property
    def content_id(self) -> str:
        return content_id(self.pk)


def content_id(pk: int) -> str:
    return f"photo-{pk}@homefront"


def day_photos(entries: list[Any]) -> list[InlinePhoto]:
    """The first few photos of the day's entries, in the order they were taken."""
    from homefront.photos.models import Photo  # the journal's photos, above notify

    rows = (
        Photo.objects.shown()
        .filter(entry__in=[entry.pk for entry in entries])
        .order_by("taken_at", "pk")
        .values_list("pk", "caption")[:MAX_PHOTOS]
    )
    return [InlinePhoto(pk, caption) for pk, caption in rows]


def with_photos(html: str, photos: tuple[InlinePhoto, ...]) -> str:
    """The message's HTML with the photos' images before its end, each pointing at the
    inline part that will carry it."""
    if not photos:
        return html
    block = render_to_string("notify/email/_photos.html", {"photos": photos})
    head, end, tail = html.rpartition("</body>")
    return head + block + end + tail if end else html + block


def attach_inline_photos(email: EmailMultiAlternatives, html: str, photo_ids: list[int]) -> str:
    """Attaches the photos' thumbnails to `email` as inline parts; returns the HTML with
    the images of photos deleted since the message was made taken out."""
    from homefront.photos.models import PhotoImage
    from homefront.photos.models import Size

    thumbnails = dict(
        PhotoImage.objects.filter(
            photo_id__in=photo_ids,
            size=Size.THUMBNAIL,
            photo__entry__deleted_at__isnull=True,
        ).values_list("photo_id", "data")
    )
    for pk in photo_ids:
        data = thumbnails.get(pk)
        if data is None:
            html = re.sub(rf'<img [^>]*src="cid:{re.escape(content_id(pk))}"[^>]*>', "", html)
            continue
        image = MIMEImage(bytes(data), "jpeg")
        image.add_header("Content-ID", f"<{content_id(pk)}>")
        image.add_header("Content-Disposition", "inline", filename=f"photo-{pk}.jpg")
        email.attach(image)
    if thumbnails:
        # The HTML and its images belong together: multipart/related, not attachments.
        email.mixed_subtype = "related"
    return html
