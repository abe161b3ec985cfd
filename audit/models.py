"""The append-only audit ledger, its chain head and the log of who saw personal data."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from org_hierarchy.models import OrgUnit

from . import labels
from .events import AuditEvent


class LedgerIsAppendOnly(Exception):
    """Raised when code tries to change or remove a ledger entry."""


class LedgerEntry(models.Model):
    """One business transition, linked to the previous entry by its hash.

    Names and the subject's text are snapshots taken when the entry is written, so the entry still reads
    correctly after a user, a unit or a dossier is renamed. ``hash`` covers every field below (see
    ``audit.chain``); changing any of them out of band breaks the chain at that entry.
    """

    sequence = models.BigIntegerField(_("sequence"), unique=True, editable=False)
    event = models.CharField(_("event"), max_length=64, choices=AuditEvent.choices, db_index=True)
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor name"), max_length=255, blank=True)
    role = models.CharField(_("role"), max_length=32, blank=True)
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acting for"),
    )
    acting_for_name = models.CharField(_("acting for (name)"), max_length=255, blank=True)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    unit_name = models.CharField(_("unit name"), max_length=255, blank=True)
    stage = models.CharField(_("stage"), max_length=64, blank=True)
    subject_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subject type"),
    )
    subject_id = models.CharField(_("subject id"), max_length=64, blank=True)
    subject_text = models.CharField(_("subject"), max_length=255, blank=True)
    version_digest = models.CharField(_("version digest"), max_length=128, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    # Indexed copies of what ``data`` holds, for the search (``audit.facets``); verification checks they match.
    award_type = models.CharField(_("award type"), max_length=64, blank=True, db_index=True)
    campaign = models.CharField(_("campaign"), max_length=64, blank=True, db_index=True)
    outcomes = models.CharField(_("nominee outcomes"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["sequence"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "sequence"], name="ledger_subject_seq"),
            models.Index(fields=["unit", "occurred_at"], name="ledger_unit_time"),
            models.Index(fields=["actor", "occurred_at"], name="ledger_actor_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(sequence__gte=1), name="ledger_sequence_positive"),
        ]

    def __str__(self):
        return f"#{self.sequence} {self.get_event_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerIsAppendOnly(_("Ledger entries cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerIsAppendOnly(_("Ledger entries cannot be deleted."))

    @property
    def role_label(self) -> str:
        return labels.role_label(self.role)

    @property
    def stage_label(self) -> str:
        return labels.stage_label(self.stage)


class ChainHead(models.Model):
    """The one row that records the end of the chain; locking it serialises writers of the ledger.

    It also lets verification notice entries removed from the end of the ledger, which no link would show.
    """

    sequence = models.BigIntegerField(_("last sequence"), default=0)
    hash = models.CharField(_("last hash"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("chain head")
        verbose_name_plural = _("chain heads")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="chainhead_single_row")]

    def __str__(self):
        return f"#{self.sequence}"


class PersonalDataAccess(models.Model):
    """A record that a user was shown a piece of personal data in full (e.g. a nominee's national id)."""

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("viewer")
    )
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("subject type")
    )
    subject_id = models.CharField(_("subject id"), max_length=64)
    subject_text = models.CharField(_("subject"), max_length=255, blank=True)
    field = models.CharField(_("field"), max_length=64)
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
        help_text=_("The unit the subject belongs to; auditors of that unit see the access."),
    )
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True, db_index=True)
    context = models.CharField(_("context"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-viewed_at", "-pk"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "viewed_at"], name="pda_subject_time"),
            models.Index(fields=["viewer", "viewed_at"], name="pda_viewer_time"),
        ]

    def __str__(self):
        return f"{self.viewer} · {self.subject_text} · {self.field}"


class VerificationRun(models.Model):
    """The result of one verification of the whole ledger: who started it, when, and what it found.

    The verification page shows the last run instead of recomputing the chain on every visit; an auditor starts a
    new one on request, and ``verify_audit`` records its runs too (without a user).
    """

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    checked = models.PositiveBigIntegerField(_("entries verified"))
    ok = models.BooleanField(_("intact"))
    problem_sequence = models.BigIntegerField(_("broken entry"), null=True, blank=True)
    problem_event = models.CharField(_("event of the broken entry"), max_length=64, blank=True)
    problem_why = models.TextField(_("problem"), blank=True)
    anchoring = models.BooleanField(_("checked against checkpoints"), default=False)
    checkpoints = models.PositiveIntegerField(_("checkpoints"), default=0)
    anchored_sequence = models.BigIntegerField(_("last entry signed"), null=True, blank=True)
    anchored_at = models.DateTimeField(_("newest checkpoint taken at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ledger verification")
        verbose_name_plural = _("ledger verifications")
        ordering = ["-started_at", "-pk"]
        get_latest_by = ["started_at", "pk"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} {'ok' if self.ok else self.problem_sequence}"

    @property
    def duration(self):
        return self.finished_at - self.started_at
