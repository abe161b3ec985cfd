"""Machine access: service accounts bound to a unit and a role, and their tokens (only a digest is stored)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from org_hierarchy.models import OrgUnit, Role


class Scope(models.TextChoices):
    """What a token may do; a request outside its scopes is refused with 403."""

    READ = "read", _("Read")
    WRITE = "write", _("Create, change and act")


class ServiceAccount(models.Model):
    """Another system (an LGSP/NGSP connector, a ministry's system) acting as one role at one unit.

    Its ``user`` is an account that cannot sign in (no usable password); the role is an ordinary membership of
    that user, so every scope, separation-of-duties and state check of the pages applies to it unchanged, and
    every ledger entry of its calls names it.
    """

    name = models.CharField(_("name"), max_length=200)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_account", verbose_name=_("user")
    )
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service account")
        verbose_name_plural = _("service accounts")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """A bearer token of a service account: ``mf_<prefix>_<secret>``, kept as the SHA-256 of the whole text."""

    account = models.ForeignKey(
        ServiceAccount, on_delete=models.PROTECT, related_name="tokens", verbose_name=_("service account")
    )
    name = models.CharField(_("name"), max_length=200)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    digest = models.CharField(_("digest"), max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = ApiTokenQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["last_used_at", "digest"])

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} (mf_{self.prefix}_…)"

    @property
    def scope_labels(self) -> list[str]:
        return [str(Scope(scope).label) for scope in self.scopes if scope in Scope.values]

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class IdempotentRequest(models.Model):
    """The answer to a POST sent with an ``Idempotency-Key``: a retry with the same key gets it again, unacted.

    Written in the transaction of the act itself, so a key is stored exactly when its act is.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("key"), max_length=255)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    status = models.PositiveSmallIntegerField(_("status"))
    body = models.JSONField(_("body"))
    location = models.CharField(_("location"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_user_key")]

    def __str__(self):
        return self.key


class WebhookEvent(models.TextChoices):
    """What a subscription can be told of; the code is the ``event`` of the delivered JSON."""

    DOSSIER_SUBMITTED = "dossier.submitted", _("Dossier submitted")
    DOSSIER_RETURNED = "dossier.returned", _("Dossier returned for supplement")
    DOSSIER_DECIDED = "dossier.decided", _("Dossier decided (awarded or rejected)")
    DECISION_ISSUED = "decision.issued", _("Decision issued")
    AWARD_REVOKED = "award.revoked", _("Award revoked")


# The subscription's flag for each event: a boolean column per event keeps the match one indexed, portable filter
# inside the INSERT … SELECT that writes the deliveries (``webhooks.deliveries_write``).
EVENT_FLAGS = {
    WebhookEvent.DOSSIER_SUBMITTED: "on_dossier_submitted",
    WebhookEvent.DOSSIER_RETURNED: "on_dossier_returned",
    WebhookEvent.DOSSIER_DECIDED: "on_dossier_decided",
    WebhookEvent.DECISION_ISSUED: "on_decision_issued",
    WebhookEvent.AWARD_REVOKED: "on_award_revoked",
}


class WebhookSubscription(models.Model):
    """A URL of another system told, by a signed POST, of the events of the dossiers in its unit's subtree.

    ``secret`` is the signing key, encrypted with a key derived from ``SECRET_KEY`` (``webhooks.secret_seal``):
    HMAC needs the key itself, so a digest (as for tokens) would not do; the administrator sees it once.
    """

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("address (URL)"), max_length=500)
    on_dossier_submitted = models.BooleanField(WebhookEvent.DOSSIER_SUBMITTED.label, default=False)
    on_dossier_returned = models.BooleanField(WebhookEvent.DOSSIER_RETURNED.label, default=False)
    on_dossier_decided = models.BooleanField(WebhookEvent.DOSSIER_DECIDED.label, default=False)
    on_decision_issued = models.BooleanField(WebhookEvent.DECISION_ISSUED.label, default=False)
    on_award_revoked = models.BooleanField(WebhookEvent.AWARD_REVOKED.label, default=False)
    secret = models.TextField(_("signing secret (encrypted)"))
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    @property
    def events(self) -> list[str]:
        return [str(event) for event, flag in EVENT_FLAGS.items() if getattr(self, flag)]

    @property
    def event_labels(self) -> list[str]:
        return [str(WebhookEvent(event).label) for event in self.events]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be delivered")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed (given up)")


class WebhookDeliveryQuerySet(models.QuerySet):
    def due(self, now=None):
        return self.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now or timezone.now())


class WebhookDelivery(models.Model):
    """One event for one subscription: written with the event's transaction, POSTed after its commit by the
    webhooks worker, tried again with growing delays, then given up. Its ``pk`` is the delivery id a receiver
    sees on every attempt, so a repeat can be recognised."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("subscription")
    )
    event_id = models.UUIDField(_("event id"))
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["payload"])

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="api_webhook_due")]

    def __str__(self):
        return f"{self.event} #{self.pk}"
