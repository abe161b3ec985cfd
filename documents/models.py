"""The documents a decision produces, each kept as an immutable file with its SHA-256.

A stored file is never rewritten: ``documents.services`` renders a document once for each state it shows (a
certificate of a revoked award is a new version, with the revocation printed on it) and serves the stored bytes
afterwards. The rendering is deterministic, so rendering the same state again gives the same bytes and digest.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    DECISION = "decision", _("Decision with its annex")
    CERTIFICATE = "certificate", _("Certificate")
    CERTIFICATES = "certificates", _("All certificates of the decision")


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
    file = models.FileField(_("file"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

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

    def __str__(self):
        return f"{self.get_kind_display()} v{self.version}"
