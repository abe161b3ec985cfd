from django.contrib import admin

from .models import LedgerEntry, PersonalDataAccess


class ReadOnlyAdmin(admin.ModelAdmin):
    """Show records without any way to add, change or delete them: the ledger is written by services only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["sequence", "occurred_at", "event", "actor_name", "role", "unit_name", "subject_text"]
    list_filter = ["event"]
    search_fields = ["actor_name", "unit_name", "subject_text", "reason"]
    date_hierarchy = "occurred_at"
    list_select_related = ["subject_type"]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    list_display = ["viewed_at", "viewer", "subject_text", "field", "context"]
    list_select_related = ["viewer"]
    search_fields = ["subject_text", "field", "context"]
    date_hierarchy = "viewed_at"
