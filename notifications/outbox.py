"""The e-mail outbox: rows written in the caller's transaction, delivered after the commit by a task worker.

``outbox_write`` stores the messages; ``outbox_kick`` asks the tasks backend to deliver them (with the database
backend a ``db_worker`` process does it, with the immediate backend of development it happens at once).
``outbox_deliver_due`` sends every e-mail whose attempt is due, each in its own transaction holding its row's
lock until the mail server has accepted it and it is marked sent. A failure waits a little longer each time
(``RETRY_DELAYS``); after the last one the e-mail is given up and shown to administrators, who can retry it.
The timer dispatcher kicks the outbox every minute, which brings due retries and anything a killed worker left.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, mailers, make_msgid
from django.db import transaction
from django.utils import timezone

from .models import Notification, OutgoingEmail, OutgoingEmailStatus

logger = logging.getLogger(__name__)

# Wait before attempt 2, 3, ...; after the last delay's attempt fails the e-mail is given up (about a day later).
RETRY_DELAYS = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(hours=12),
]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
RETRY_CHANGE_REASON = "Outgoing e-mail retried"


def outbox_write(messages: list[EmailMessage], *, notifications: list[Notification | None] | None = None) -> list:
    """Store one outbox row per message (one recipient, at most one attachment each) in the caller's transaction;
    one INSERT."""
    notifications = notifications or [None] * len(messages)
    now = timezone.now()
    rows = []
    for message, notification in zip(messages, notifications, strict=True):
        if len(message.to) != 1 or len(message.attachments) > 1:
            raise ValueError("An outbox e-mail has one recipient and at most one attachment.")
        name, content, mimetype = message.attachments[0] if message.attachments else ("", None, "")
        rows.append(
            OutgoingEmail(
                message_id=make_msgid(domain=_message_domain()),
                recipient=message.to[0],
                subject=message.subject,
                body=message.body,
                attachment_name=name,
                attachment_type=mimetype or "",
                attachment=content.encode() if isinstance(content, str) else content,
                notification=notification,
                created_at=now,
                next_attempt_at=now,
            )
        )
    return OutgoingEmail.objects.bulk_create(rows)


def outbox_kick() -> None:
    """Ask the tasks backend to deliver what is due; call it outside the writing transaction or after its commit."""
    from .tasks import deliver_outbox

    deliver_outbox.enqueue()


def outbox_sweep() -> int:
    """Kick the outbox when e-mails are due (retries, or left by a killed worker); return how many are due."""
    due = OutgoingEmail.objects.due().count()
    if due:
        outbox_kick()
    return due


def outbox_deliver_due(*, now=None, limit: int = 500) -> int:
    """Send the due e-mails (at most ``limit``), oldest first; return how many the mail server accepted."""
    due = OutgoingEmail.objects.due(now=now).order_by("next_attempt_at", "pk").values_list("pk", flat=True)
    return sum(outgoing_email_deliver(email_id=pk) for pk in list(due[:limit]))


def outgoing_email_deliver(*, email_id: int) -> bool:
    """Send one due e-mail unless another worker holds it or it was sent; True when the mail server accepted it."""
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.due()
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("notification")
            .filter(pk=email_id)
            .first()
        )
        if email is None:
            return False
        email.attempts += 1
        try:
            with mailers.default as connection:
                connection.send_messages([_message(email)])
        except Exception as error:
            email.last_error = f"{type(error).__name__}: {error}"[:2000]
            if email.attempts >= MAX_ATTEMPTS:
                email.status = OutgoingEmailStatus.DEAD
                logger.error("Gave up e-mail %s to %s: %s", email.pk, email.recipient, email.last_error)
            else:
                email.next_attempt_at = timezone.now() + RETRY_DELAYS[email.attempts - 1]
                logger.warning("E-mail %s failed (attempt %d): %s", email.pk, email.attempts, email.last_error)
            email.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return False
        now = timezone.now()
        email.status = OutgoingEmailStatus.SENT
        email.sent_at = now
        email.last_error = ""
        email.save(update_fields=["attempts", "last_error", "status", "sent_at"])
        if email.notification_id:
            Notification.objects.filter(pk=email.notification_id).update(emailed_at=now)
        return True


@transaction.atomic
def outgoing_emails_retry(*, email_ids, actor) -> int:
    """Put given-up e-mails back in the outbox for an attempt now (an administrator's action); return how many."""
    emails = list(OutgoingEmail.objects.select_for_update().filter(pk__in=email_ids, status=OutgoingEmailStatus.DEAD))
    for email in emails:
        email.status = OutgoingEmailStatus.PENDING
        email.attempts = 0
        email.next_attempt_at = timezone.now()
        email._history_user = actor
        email._change_reason = RETRY_CHANGE_REASON
        email.save(update_fields=["status", "attempts", "next_attempt_at"])
    if emails:
        transaction.on_commit(outbox_kick, robust=True)
    return len(emails)


def _message(email: OutgoingEmail) -> EmailMessage:
    # The same Message-ID on every attempt lets a receiving server recognise a repeat.
    message = EmailMessage(
        subject=email.subject,
        body=email.body,
        to=[email.recipient],
        headers={"Message-ID": email.message_id},
    )
    if email.attachment_name:
        message.attach(email.attachment_name, bytes(email.attachment), email.attachment_type or None)
    return message


def _message_domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "meritflow.local"
