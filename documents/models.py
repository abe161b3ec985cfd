"""The documents a decision produces, each kept as an immutable file with its SHA-256.

A stored file is never rewritten: ``documents.services`` renders a document once for each state it shows (a
certificate of a revoked award is a new version, with the revocation printed on it) and serves the stored bytes
afterwards. The rendering is deterministic, so rendering the same state again gives the same bytes and digest.
A document is asked for first (a row being prepared, without a file) and rendered by the documents worker, never
inside a request; a failed rendering is tried again a few times, then shown as failed to administrators.
"""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    DECISION = "decision", _("Decision with its annex")
    CERTIFICATE = "certificate", _("Certificate")
    CERTIFICATES = "certificates", _("All certificates of the decision")


class DocumentStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Could not be prepared")


class IssuedDocumentQuerySet(models.QuerySet):
    def due(self, *, now):
        """Documents waiting to be rendered whose attempt has come (new, retried, or left by a stopped worker)."""
        return self.filter(status=DocumentStatus.PENDING, next_attempt_at__lte=now)


class IssuedDocument(models.Model):
    decision = models.ForeignKey(
        "nominations.Decision", on_delete=models.PROTECT, related_name="documents", verbose_name=_("decision")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    award_record = models.ForeignKey(
        "nominations.AwardRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("award"),
    )
    state = models.CharField(
        _("state rendered"), max_length=64, help_text=_("What the document shows that may change: the revocations.")
    )
    version = models.PositiveIntegerField(_("version"))
    # The database defaults serve the rows a worker of the release before writes during an upgrade: it rendered
    # inside the request and stored the file at once, so its rows are ready.
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DocumentStatus.choices,
        default=DocumentStatus.PENDING,
        db_default=DocumentStatus.READY,
    )
    file = models.FileField(_("file"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, db_default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now, db_default=Now())
    last_error = models.TextField(_("last error"), blank=True, default="", db_default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)

    objects = IssuedDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["decision", "kind", "award_record", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "kind", "state"],
                condition=Q(award_record__isnull=True),
                name="issueddocument_unique_decision_state",
            ),
            models.UniqueConstraint(
                fields=["award_record", "kind", "state"],
                condition=Q(award_record__isnull=False),
                name="issueddocument_unique_award_state",
            ),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="issueddocument_due"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} v{self.version}"
