"""Admin of notifications: read-only (they are written by ``notify`` only), preferences with their history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "event", "email_mode", "created_at", "read_at", "emailed_at", "digested_at"]
    list_filter = ["event", "email_mode", "created_at"]
    search_fields = ["title", "recipient__username", "recipient__full_name"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(SimpleHistoryAdmin):
    list_display = ["user", "event", "email_mode"]
    list_filter = ["email_mode", "event"]
    search_fields = ["user__username", "user__full_name"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    history_list_display = ["email_mode"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Changes go through the user's preferences page, which records who changed what.
        return False
