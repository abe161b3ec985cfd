from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from notifications import kinds
        from workflows import timers

        from .events import ReportNotice
        from .services import report_reminders_send

        kinds.register(ReportNotice)
        timers.register(report_reminders_send)
