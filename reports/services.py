"""State changes of the yearly reports: save a draft, finalise it, remind the units whose report is due."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from audit import services as audit_services
from audit.events import AuditEvent
from nominations.models import Campaign
from notifications import services as notification_services
from org_hierarchy.models import Level, Membership, OrgUnit, Role
from org_hierarchy.selectors import holds_role
from workflows import calendar

from . import yearly
from .events import ReportNotice
from .models import ReportReminder, ReportSchedule, ReportStatus, YearlyReport

WRITER_ROLES = (Role.APPROVER, Role.APPRAISER, Role.SECRETARY)
ALREADY_FINAL = _("This report is finalised and can no longer change.")
NOT_A_WRITER = _("Only the unit's head, emulation officers and council secretary write its report.")
NOT_THE_HEAD = _("Only the unit's head finalises its report.")


def may_write(*, user, unit: OrgUnit) -> bool:
    return any(holds_role(user=user, unit_id=unit.pk, role=role) for role in WRITER_ROLES)


def may_finalise(*, user, unit: OrgUnit) -> bool:
    return holds_role(user=user, unit_id=unit.pk, role=Role.APPROVER)


def _lock(report: YearlyReport) -> YearlyReport:
    return YearlyReport.objects.select_for_update().select_related("campaign", "unit").get(pk=report.pk)


@transaction.atomic
def yearly_report_save(
    *, actor, campaign: Campaign, year: int, unit: OrgUnit, results: list[dict], lessons: str, proposals: str
) -> YearlyReport:
    """Create or update the unit's draft report for the campaign and year."""
    if not may_write(user=actor, unit=unit):
        raise PermissionDenied(NOT_A_WRITER)
    report, created = YearlyReport.objects.select_for_update().get_or_create(
        campaign=campaign, year=year, unit=unit, defaults={"created_by": actor}
    )
    if report.is_final:
        raise ValidationError(ALREADY_FINAL, code="final")
    report.results, report.lessons, report.proposals = results, lessons.strip(), proposals.strip()
    report._change_reason = "created" if created else "saved"
    report.save()
    audit_services.record(
        AuditEvent.REPORT_SAVED,
        actor=actor,
        unit=unit,
        subject=report,
        data={"campaign": campaign.pk, "year": year},
    )
    return report


@transaction.atomic
def yearly_report_finalise(*, actor, report: YearlyReport) -> YearlyReport:
    """Freeze the report: its figures are kept as they are today (in every interface language)."""
    report = _lock(report)
    if report.is_final:
        raise ValidationError(ALREADY_FINAL, code="final")
    if not may_finalise(user=actor, unit=report.unit):
        raise PermissionDenied(NOT_THE_HEAD)
    today = timezone.localdate()
    frozen = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            frozen[language] = yearly.figures(campaign=report.campaign, year=report.year, unit=report.unit, today=today)
    report.figures = frozen
    report.status = ReportStatus.FINAL
    report.finalised_by = actor
    report.finalised_at = timezone.now()
    report._change_reason = "finalised"
    report.save()
    totals = frozen[settings.LANGUAGE_CODE]["statistics"]["total"]["counts"]
    audit_services.record(
        AuditEvent.REPORT_FINALISED,
        actor=actor,
        unit=report.unit,
        role=Role.APPROVER,
        subject=report,
        data={"campaign": report.campaign_id, "year": report.year, "counts": totals},
    )
    return report


def due_date(schedule: ReportSchedule, year: int) -> datetime.date:
    return datetime.date(year, schedule.due_month, min(schedule.due_day, 28 if schedule.due_month == 2 else 31))


def units_due(*, campaign: Campaign, year: int):
    """The units expected to report and not finalised yet: every province-level unit, and any unit with a draft."""
    finalised = YearlyReport.objects.filter(campaign=campaign, year=year, status=ReportStatus.FINAL).values("unit")
    drafting = YearlyReport.objects.filter(campaign=campaign, year=year, status=ReportStatus.DRAFT).values("unit")
    return (
        OrgUnit.objects.filter(is_active=True)
        .filter(Q(level=Level.PROVINCE) | Q(pk__in=drafting))
        .exclude(pk__in=finalised)
        .exclude(pk__in=ReportReminder.objects.filter(campaign=campaign, year=year).values("unit"))
    )


def report_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind the heads of the units whose yearly report is due soon (once per unit, campaign and year)."""
    today = today or timezone.localdate()
    sent = 0
    for schedule in ReportSchedule.objects.filter(campaign__is_active=True).select_related("campaign"):
        due = due_date(schedule, today.year)
        if not calendar.subtract_working_days(due, schedule.reminder_days_before) <= today <= due:
            continue
        campaign = schedule.campaign
        for unit in units_due(campaign=campaign, year=today.year):
            with transaction.atomic():
                ReportReminder.objects.create(campaign=campaign, year=today.year, unit=unit)
                heads = Membership.objects.active().filter(unit=unit, role=Role.APPROVER).values("user")
                notification_services.notify(
                    recipients=get_user_model().objects.filter(pk__in=heads),
                    event=ReportNotice.DUE,
                    title=format_lazy(
                        _("Yearly report on {campaign} due by {date}"),
                        campaign=campaign.name,
                        date=due.strftime("%d/%m/%Y"),
                    ),
                    url=reverse("reports:yearly_report", args=[campaign.pk, today.year, unit.pk]),
                )
            sent += 1
    return sent
