"""Reads of the notifications app, always scoped to the recipient."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import EmailMode, Notification, NotificationPreference


def notification_list(*, user) -> QuerySet[Notification]:
    """Return the user's own notifications, newest first."""
    return Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-pk")


def notification_get(*, user, pk: int, for_update: bool = False) -> Notification:
    """Return one of the user's notifications; another user's id is a 404, so ids cannot be probed."""
    queryset = notification_list(user=user)
    if for_update:
        queryset = queryset.select_for_update()
    return get_object_or_404(queryset, pk=pk)


def unread_count(*, user) -> int:
    """Return how many of the user's notifications are unread."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return notification_list(user=user).filter(read_at__isnull=True).count()


def digest_due(*, before) -> QuerySet[Notification]:
    """Return the digest-mode notifications created before ``before`` that no digest has included yet."""
    return Notification.objects.filter(
        email_mode=EmailMode.DIGEST, digested_at__isnull=True, created_at__lt=before
    ).order_by("recipient_id", "created_at", "pk")


def digest_pending(*, pks) -> QuerySet[Notification]:
    """Return those of the given notifications that still wait for a digest, oldest first."""
    return Notification.objects.filter(pk__in=pks, email_mode=EmailMode.DIGEST, digested_at__isnull=True).order_by(
        "created_at", "pk"
    )


def purgeable(*, before) -> QuerySet[Notification]:
    """Return the read notifications created before ``before`` that no digest still waits for."""
    return Notification.objects.filter(read_at__isnull=False, created_at__lt=before).exclude(
        email_mode=EmailMode.DIGEST, digested_at__isnull=True
    )


def preferences_of(*, user) -> QuerySet[NotificationPreference]:
    """Return the user's e-mail rules, the default (empty event) first."""
    return NotificationPreference.objects.filter(user_id=user.pk).order_by("event")


def event_kinds_of(*, user) -> list[str]:
    """Return the event kinds the user has been notified about or has a rule for, for the preferences form."""
    received = notification_list(user=user).order_by().values_list("event", flat=True).distinct()
    ruled = preferences_of(user=user).exclude(event="").order_by().values_list("event", flat=True)
    return sorted({*received, *ruled})
