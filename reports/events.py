"""The notices the reports app sends (labels for the notification inbox and preferences)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportNotice(models.TextChoices):
    DUE = "report.due", _("Yearly report due")
