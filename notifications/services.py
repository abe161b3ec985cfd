"""Every write of the notifications app: notify, mark read, preferences.

``notify`` runs inside the caller's transaction and writes the immediate e-mails to the outbox in it; the
websocket pushes are sent and the outbox delivered by ``transaction.on_commit`` only, so a rolled-back transition
tells nobody anything and a committed one loses no e-mail (see ``outbox``).
"""

import logging
from collections.abc import Iterable
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import emails, outbox, selectors
from .events import NotificationKind
from .models import EmailMode, Notification, NotificationPreference

logger = logging.getLogger(__name__)

PUSH_MESSAGE_TYPE = "notification.push"
SESSION_ENDED_MESSAGE_TYPE = "session.ended"
PREFERENCE_CHANGE_REASON = "Notification preference set"


def group_name(user_id: int) -> str:
    """Return the channel-layer group that reaches every open socket of one user."""
    return f"user-{user_id}"


def notify(*, recipients, event, title, body="", url="", subject=None, data=None) -> list[Notification]:
    """Create one notification per recipient and queue its push and e-mail for after the commit.

    It writes with a single INSERT and opens no savepoint of its own: it runs inside the caller's transaction
    (the transition's), and outside one the insert is its own transaction. A queryset of recipients is read
    together with their e-mail preferences (one SELECT); a list costs one read of the preferences.

    ``recipients`` are users chosen by the caller's selectors (never a broadcast); inactive users and repeats are
    skipped. Pass ``title`` and ``body`` as lazy translations (``gettext_lazy``, ``format_lazy``): each
    recipient's copy is rendered in their own language.
    """
    event = str(event)
    read_with_rules = isinstance(recipients, QuerySet)
    if read_with_rules:
        # A queryset of recipients is read with each one's e-mail mode for the event: one query, not two.
        recipients = recipients.annotate(notify_email_mode=_email_mode_of(OuterRef("pk"), event=event))
    people = list({user.pk: user for user in recipients if user.is_active}.values())
    if not people:
        return []
    if read_with_rules:
        modes = {user.pk: user.notify_email_mode for user in people}
    else:
        modes = _email_modes(user_ids=[user.pk for user in people], event=event)
    subject_type = ContentType.objects.get_for_model(subject) if subject is not None else None
    created_at = timezone.now()
    rows = []
    for user in people:
        with translation.override(user.language):
            rows.append(
                Notification(
                    recipient=user,
                    event=event,
                    title=str(title)[:255],
                    body=str(body),
                    url=str(url),
                    subject_type=subject_type,
                    subject_id=subject.pk if subject is not None else None,
                    data=data or {},
                    email_mode=modes[user.pk],
                    created_at=created_at,
                )
            )
    notifications = Notification.objects.bulk_create(rows)
    emailed = emails.queue_immediate(notifications)
    transaction.on_commit(partial(_deliver, notifications, emailed=bool(emailed)), robust=True)
    return notifications


def _email_modes(*, user_ids: list[int], event: str) -> dict[int, str]:
    """Resolve each user's e-mail mode for the event: their rule for the event, else their default, else immediate."""
    modes = dict.fromkeys(user_ids, EmailMode.IMMEDIATE.value)
    rules = NotificationPreference.objects.filter(user_id__in=user_ids, event__in=["", event]).order_by("event")
    # Ordered by event, the default ("") comes first and the event's own rule overrides it.
    for user_id, mode in rules.values_list("user_id", "email_mode"):
        modes[user_id] = mode
    return modes


def _email_mode_of(user_id, *, event: str) -> Coalesce:
    """The user's e-mail mode for the event as a SQL expression: their rule for it, else their default, else
    immediate (the same order as ``_email_modes``)."""
    rules = NotificationPreference.objects.filter(user_id=user_id)
    return Coalesce(
        Subquery(rules.filter(event=event).values("email_mode")[:1]),
        Subquery(rules.filter(event="").values("email_mode")[:1]),
        Value(EmailMode.IMMEDIATE.value),
    )


def _deliver(notifications: list[Notification], *, emailed: bool) -> None:
    """Send the pushes of freshly committed notifications, then ask for their e-mails' delivery."""
    push(notifications)
    if emailed:
        outbox.outbox_kick()


def push(notifications: Iterable[Notification]) -> None:
    """Send each notification to its recipient's open sockets; the socket adds the new unread count.

    Counting is left to ``consumers.NotificationConsumer``, once per open page: a step that tells people who have
    no page open reads nothing, where counting here cost a query per step. All the pushes share one event loop.
    """
    messages = [
        (
            group_name(notification.recipient_id),
            {
                "type": PUSH_MESSAGE_TYPE,
                "payload": {
                    "id": notification.pk,
                    "title": notification.title,
                    "url": reverse("notifications:open", args=[notification.pk]),
                },
            },
        )
        for notification in notifications
    ]
    if messages:
        async_to_sync(_send_all)(messages)


async def _send_all(messages: list[tuple[str, dict]]) -> None:
    layer = get_channel_layer()
    for group, message in messages:
        try:
            await layer.group_send(group, message)
        except Exception:
            # The row is committed and the inbox shows it; a channel-layer outage must not hide the others.
            logger.exception("Could not push notification %s", message["payload"]["id"])


def _push_unread_count(user) -> None:
    """Tell the user's other open pages the new unread count after they read something."""
    payload = {"unread": selectors.unread_count(user=user)}
    async_to_sync(get_channel_layer().group_send)(group_name(user.pk), {"type": PUSH_MESSAGE_TYPE, "payload": payload})


# Rendered when each recipient's copy is, so the date reads in their language's format.
_date_lazy = lazy(formats.date_format, str)


def delegation_announce(*, membership) -> list[Notification]:
    """Tell a person that a head delegated a role to them (acting head), for how long and where."""
    details = {
        "head": membership.acting_for.get_full_name(),
        # The choice's lazy label, not get_role_display(): each copy is rendered in its recipient's language.
        "role": dict(membership._meta.get_field("role").flatchoices)[membership.role],
        "unit": membership.unit.name,
        "start": _date_lazy(membership.valid_from, "SHORT_DATE_FORMAT"),
        "end": _date_lazy(membership.valid_to, "SHORT_DATE_FORMAT"),
    }
    return notify(
        recipients=[membership.user],
        event=NotificationKind.MEMBERSHIP_DELEGATED,
        title=format_lazy(_("{head} delegated to you the role of {role} at {unit}"), **details),
        body=format_lazy(_("You act for {head} as {role} at {unit} from {start} to {end}."), **details),
        url=reverse("profile"),
        subject=membership,
    )


def sockets_close(*, user) -> None:
    """Close the user's open sockets after commit (on logout); those of still-valid sessions reconnect at once.

    A socket is authenticated once, when it opens, so without this a browser that signed out would keep hearing
    the user's notifications until the page is left.
    """
    send = async_to_sync(get_channel_layer().group_send)
    transaction.on_commit(
        partial(send, group_name(user.pk), {"type": SESSION_ENDED_MESSAGE_TYPE}),
        robust=True,
    )


@transaction.atomic
def notification_mark_read(*, user, notification_id: int) -> Notification:
    """Mark one of the user's notifications read; another user's id is a 404."""
    notification = selectors.notification_get(user=user, pk=notification_id, for_update=True)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        transaction.on_commit(partial(_push_unread_count, user), robust=True)
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read; return how many were."""
    count = selectors.notification_list(user=user).filter(read_at__isnull=True).update(read_at=timezone.now())
    if count:
        transaction.on_commit(partial(_push_unread_count, user), robust=True)
    return count


@transaction.atomic
def preference_set(*, user, event: str = "", email_mode: str, actor=None) -> NotificationPreference | None:
    """Set how the user hears by e-mail about one event kind.

    ``event=""`` is the user's default for every kind without a rule of its own; an empty ``email_mode`` for an
    event kind removes its rule, so the default applies again.
    """
    event = str(event)
    preference = NotificationPreference.objects.select_for_update().filter(user=user, event=event).first()
    if not email_mode and event:
        if preference is not None:
            _stamp(preference, actor or user)
            preference.delete()
        return None
    email_mode = EmailMode(email_mode)
    if preference is None:
        preference = NotificationPreference(user=user, event=event)
    elif preference.email_mode == email_mode:
        return preference
    preference.email_mode = email_mode
    _stamp(preference, actor or user)
    preference.save()
    return preference


@transaction.atomic
def preferences_set(*, user, modes: dict[str, str], actor=None) -> None:
    """Apply a whole preferences form: the default (key "") and one mode or "" per event kind."""
    for event, email_mode in modes.items():
        preference_set(user=user, event=event, email_mode=email_mode, actor=actor)


def _stamp(preference: NotificationPreference, actor) -> None:
    """Tell simple-history who made the change and why."""
    preference._history_user = actor
    preference._change_reason = PREFERENCE_CHANGE_REASON


def notifications_send_digest(*, now=None) -> int:
    """Send each user one summary of their digest-mode notifications of the previous day(s); return how many.

    Notifications of today wait for tomorrow's run. Each user's summary is written to the outbox and its
    notifications marked digested in one transaction, so a repeated run sends nothing; the outbox retries a
    failed send.
    """
    now = now or timezone.now()
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    due: dict[int, list[int]] = {}
    for recipient_id, pk in selectors.digest_due(before=day_start).values_list("recipient_id", "pk"):
        due.setdefault(recipient_id, []).append(pk)
    sent = 0
    for notification_ids in due.values():
        sent += _send_digest_of(notification_ids=notification_ids, now=now)
    if sent:
        outbox.outbox_kick()
    return sent


@transaction.atomic
def _send_digest_of(*, notification_ids: list[int], now) -> int:
    """Put one user's digest in the outbox and mark its notifications, unless another run got there first."""
    notifications = list(
        selectors.digest_pending(pks=notification_ids).select_for_update(of=("self",)).select_related("recipient")
    )
    if not notifications:
        return 0
    recipient = notifications[0].recipient
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(digested_at=now)
    if not recipient.email or not recipient.is_active:
        return 0
    emails.queue_digest(recipient, notifications)
    return 1


@transaction.atomic
def notifications_purge(*, before) -> int:
    """Delete read notifications created before ``before``; return how many.

    Notifications only point at the record that matters (the ledger keeps the history), so old read ones go.
    Unread ones and those still waiting for a digest stay.
    """
    deleted, _by_model = selectors.purgeable(before=before).delete()
    return deleted


@transaction.atomic
def invitations_send(*, invitations) -> int:
    """Put in the outbox each invited person's link to choose a password, in their language; deliver after commit.

    ``invitations`` is a list of (user, absolute link). Return how many e-mails were written.
    """
    return emails_send(messages=[emails.invitation_message(user, link) for user, link in invitations if user.email])


@transaction.atomic
def emails_send(*, messages) -> int:
    """Put ``messages`` (one recipient each) in the outbox, delivered after the commit and retried; return how many."""
    if messages:
        outbox.outbox_write(messages)
        transaction.on_commit(outbox.outbox_kick, robust=True)
    return len(messages)
