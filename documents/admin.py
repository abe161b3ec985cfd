"""The documents of the decisions for administrators: what is ready, being prepared, or failed with its error."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import DocumentStatus, IssuedDocument


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(admin.ModelAdmin):
    list_display = ["decision", "kind", "award_record", "version", "status", "attempts", "created_at", "ready_at"]
    list_filter = ["status", "kind"]
    search_fields = ["decision__dossier__title", "sha256"]
    list_select_related = ["decision", "award_record"]
    show_full_result_count = False
    readonly_fields = [field.name for field in IssuedDocument._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        return request.user.has_perm("documents.change_issueddocument")

    @admin.action(description=_("Prepare the selected failed documents again"), permissions=["retry"])
    def retry(self, request, queryset):
        count = services.documents_retry(
            document_ids=queryset.filter(status=DocumentStatus.FAILED).values_list("pk", flat=True), actor=request.user
        )
        message = ngettext("%(count)d document asked for again.", "%(count)d documents asked for again.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)
