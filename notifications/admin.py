"""Admin of notifications: read-only (they are written by ``notify`` only), preferences with their history, the
e-mail outbox with its given-up e-mails."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from . import outbox
from .models import Notification, NotificationPreference, OutgoingEmail


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


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(SimpleHistoryAdmin):
    """The outbox: what waits, what was sent, and the given-up e-mails (dead letters) an administrator may retry."""

    list_display = ["recipient", "subject", "status", "attempts", "next_attempt_at", "sent_at", "last_error"]
    list_filter = ["status", "created_at"]
    search_fields = ["recipient", "subject", "message_id"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["retry"]
    history_list_display = ["status", "attempts", "last_error"]
    # Reset and invitation e-mails carry one-time links to an account: nobody reads a body here.
    exclude = ["body"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        return request.user.has_perm("notifications.change_outgoingemail")

    @admin.action(description=_("Retry the selected given-up e-mails now"), permissions=["retry"])
    def retry(self, request, queryset):
        count = outbox.outgoing_emails_retry(email_ids=list(queryset.values_list("pk", flat=True)), actor=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d e-mail is waiting to be sent again.",
                "%(count)d e-mails are waiting to be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
