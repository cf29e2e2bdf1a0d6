from __future__ import annotations

from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email(subject: str, body: str, to: list[str]) -> int:
    """Sends one plain-text email; run by the background worker."""
    return send_mail(subject, body, None, to)
