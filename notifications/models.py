"""In-app notifications and each user's e-mail preference per event kind."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class EmailMode(models.TextChoices):
    """How a user wants to hear by e-mail about one kind of event."""

    IMMEDIATE = "immediate", _("An e-mail for each event")
    DIGEST = "digest", _("A daily digest")
    OFF = "off", _("No e-mail")


class Notification(models.Model):
    """Something a person must know about: a task for them, a decision on their dossier, a reminder."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    event = models.CharField(_("event"), max_length=64)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("subject type")
    )
    subject_id = models.PositiveBigIntegerField(_("subject id"), null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    data = models.JSONField(_("data"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    email_mode = models.CharField(_("e-mail"), max_length=10, choices=EmailMode.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    digested_at = models.DateTimeField(_("included in a digest at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread"),
            models.Index(
                fields=["created_at"],
                condition=models.Q(email_mode="digest", digested_at__isnull=True),
                name="notification_digest_due",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A user's e-mail mode for one event kind; the row with an empty event is their default for all kinds."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    event = models.CharField(_("event"), max_length=64, blank=True)
    email_mode = models.CharField(_("e-mail"), max_length=10, choices=EmailMode.choices, default=EmailMode.IMMEDIATE)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="notification_preference_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.event or '*'} · {self.email_mode}"


class OutgoingEmailStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    DEAD = "dead", _("Given up")


class OutgoingEmailQuerySet(models.QuerySet):
    def due(self, *, now=None):
        """E-mails waiting to be sent whose next attempt has come."""
        return self.filter(status=OutgoingEmailStatus.PENDING, next_attempt_at__lte=now or timezone.now())


class OutgoingEmail(models.Model):
    """One e-mail in the outbox: written in the transaction that decided to send it, delivered after its commit.

    The worker sends it and marks it sent in one transaction that holds the row's lock, so two workers never
    send it both, and a worker killed before the mail server accepted it leaves it waiting for the next one.
    A failed attempt waits longer each time; after the last one the e-mail is given up (a dead letter), visible
    and retried from the administration.
    """

    message_id = models.CharField(_("message id"), max_length=255, unique=True)
    recipient = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=998)
    body = models.TextField(_("body"))
    # At most one attached file (the ledger checkpoint sent to the auditors).
    attachment_name = models.CharField(_("attachment"), max_length=255, blank=True)
    attachment_type = models.CharField(_("attachment type"), max_length=100, blank=True)
    attachment = models.BinaryField(_("attachment content"), null=True, blank=True)
    notification = models.ForeignKey(
        Notification,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outgoing_emails",
        verbose_name=_("notification"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OutgoingEmailStatus.choices, default=OutgoingEmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["body", "attachment"])
    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="pending"), name="outgoing_email_due"),
        ]

    def __str__(self):
        return f"{self.recipient} · {self.subject}"
