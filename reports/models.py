"""The movement's yearly report of a unit, and when each campaign's report is due.

A report is written as a draft and finalised by the unit's head (``services.yearly_report_finalise``): the
figures are then frozen in ``figures`` (one copy per interface language) and nothing of it changes again.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ReportSchedule(models.Model):
    """When the units' yearly report on a campaign is due, and how early they are reminded."""

    campaign = models.OneToOneField(
        "nominations.Campaign", on_delete=models.CASCADE, related_name="report_schedule", verbose_name=_("campaign")
    )
    due_day = models.PositiveSmallIntegerField(_("due day"), validators=[MinValueValidator(1), MaxValueValidator(31)])
    due_month = models.PositiveSmallIntegerField(
        _("due month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        _("reminder (working days before the due date)"), default=10
    )
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")

    def __str__(self):
        return f"{self.campaign}: {self.due_day:02d}/{self.due_month:02d}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Finalised")


class YearlyReport(models.Model):
    """A unit's yearly report on a campaign: live figures while a draft, frozen ones once finalised."""

    campaign = models.ForeignKey(
        "nominations.Campaign", on_delete=models.PROTECT, related_name="yearly_reports", verbose_name=_("campaign")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1945), MaxValueValidator(2200)])
    unit = models.ForeignKey(
        "org_hierarchy.OrgUnit", on_delete=models.PROTECT, related_name="yearly_reports", verbose_name=_("unit")
    )
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    # [{"content": <CampaignContent id>, "text": "..."}], in the campaign's order.
    results = models.JSONField(_("results by content"), default=list, blank=True)
    lessons = models.TextField(_("lessons learned"), blank=True)
    proposals = models.TextField(_("proposals"), blank=True)
    figures = models.JSONField(_("figures at finalisation"), default=dict, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("finalised by"),
    )
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("yearly report")
        verbose_name_plural = _("yearly reports")
        ordering = ["-year", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "year", "unit"], name="yearlyreport_unique_unit_year"),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.year} · {self.unit}"

    @property
    def is_final(self) -> bool:
        return self.status == ReportStatus.FINAL


class ReportReminder(models.Model):
    """One reminder sent to a unit about its yearly report, so the dispatcher sends it once."""

    campaign = models.ForeignKey("nominations.Campaign", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    unit = models.ForeignKey("org_hierarchy.OrgUnit", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "year", "unit"], name="reportreminder_unique_unit_year"),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.year} · {self.unit}"
