from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ReportSchedule, YearlyReport


@admin.register(ReportSchedule)
class ReportScheduleAdmin(SimpleHistoryAdmin):
    list_display = ["campaign", "due_day", "due_month", "reminder_days_before"]


@admin.register(YearlyReport)
class YearlyReportAdmin(SimpleHistoryAdmin):
    """Read-only: reports are written and finalised on their own pages, through the services."""

    list_display = ["campaign", "year", "unit", "status", "finalised_at"]
    list_filter = ["status", "year"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
