"""Administration of the working-day calendar: the Government's notices of days off and make-up working days."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import CalendarException


@admin.register(CalendarException)
class CalendarExceptionAdmin(SimpleHistoryAdmin):
    list_display = ["day", "kind", "reference", "note"]
    list_filter = ["kind"]
    search_fields = ["reference", "note"]
    date_hierarchy = "day"

    def save_model(self, request, obj, form, change):
        services.calendar_exception_save(exception=obj, actor=request.user, changed_fields=form.changed_data)

    def delete_model(self, request, obj):
        services.calendar_exception_remove(exception=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for exception in queryset:
            services.calendar_exception_remove(exception=exception, actor=request.user)
