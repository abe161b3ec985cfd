"""E-mails about notifications, each in its recipient's language: one per event, or one daily digest."""

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from . import kinds, outbox
from .models import EmailMode, Notification


def absolute_link(notification: Notification) -> str:
    """Return the address that opens (and marks read) the notification, for use outside the site."""
    return settings.SITE_URL + reverse("notifications:open", args=[notification.pk])


def _render(recipient, template: str, context: dict) -> tuple[str, str]:
    """Render a subject and a body template pair in the recipient's language."""
    with translation.override(recipient.language):
        context = {**context, "recipient": recipient, "site_url": settings.SITE_URL}
        subject = render_to_string(f"notifications/email/{template}_subject.txt", context)
        body = render_to_string(f"notifications/email/{template}_body.txt", context)
    # A header must be one line, whatever the title contained.
    return " ".join(subject.split()), body


def notification_message(notification: Notification) -> EmailMessage:
    """Build the e-mail that announces one notification to its recipient."""
    recipient = notification.recipient
    with translation.override(recipient.language):
        kind = kinds.label(notification.event)
    subject, body = _render(
        recipient, "notification", {"notification": notification, "kind": kind, "link": absolute_link(notification)}
    )
    return EmailMessage(subject=subject, body=body, to=[recipient.email])


def digest_message(recipient, notifications: Sequence[Notification]) -> EmailMessage:
    """Build one summary of several notifications for their (single) recipient."""
    items = [{"notification": n, "link": absolute_link(n)} for n in notifications]
    subject, body = _render(recipient, "digest", {"items": items, "count": len(items)})
    return EmailMessage(subject=subject, body=body, to=[recipient.email])


def invitation_message(recipient, link: str) -> EmailMessage:
    """Build the invitation of a new account to choose its password, with the one-time link."""
    subject, body = _render(recipient, "invitation", {"link": link})
    return EmailMessage(subject=subject, body=body, to=[recipient.email])


def queue_immediate(notifications: Iterable[Notification]) -> int:
    """Put in the outbox the e-mail of each immediate-mode notification whose recipient has an address.

    It runs in the caller's transaction, so the e-mails exist exactly when the notifications do; return how many.
    """
    due = [n for n in notifications if n.email_mode == EmailMode.IMMEDIATE and n.recipient.email]
    if due:
        outbox.outbox_write([notification_message(n) for n in due], notifications=due)
    return len(due)


def queue_digest(recipient, notifications: Sequence[Notification]) -> None:
    """Put in the outbox the recipient's one summary of the given notifications."""
    outbox.outbox_write([digest_message(recipient, notifications)])
