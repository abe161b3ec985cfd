"""Administration of the catalogue and campaigns (through the services), and read-only views of the rest.

Dossiers, nominees, attachments, decisions and award records change only through the services (and so the
workflow), which keep the version digest, history and ledger; the admin shows them with their history.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .forms import AwardTypeAdminForm
from .models import (
    Attachment,
    AwardRecord,
    AwardType,
    Campaign,
    CampaignContent,
    CampaignSubjectGroup,
    Decision,
    DecisionCounter,
    DocumentKind,
    Dossier,
    Nominee,
    RouteStop,
)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DocumentKind)
class DocumentKindAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_vi", "name_en"]
    search_fields = ["code", "name_vi", "name_en"]


@admin.register(AwardType)
class AwardTypeAdmin(SimpleHistoryAdmin):
    form = AwardTypeAdminForm
    list_display = ["code", "name_vi", "form", "deciding_branch", "deciding_level", "vote_threshold_pct", "is_active"]
    list_filter = ["form", "deciding_branch", "deciding_level", "is_active"]
    search_fields = ["code", "name_vi", "name_en"]
    filter_horizontal = ["required_documents"]

    def save_model(self, request, obj, form, change):
        services.award_type_save(award_type=obj, actor=request.user, changed_fields=form.changed_data)

    def has_delete_permission(self, request, obj=None):
        # Dossiers and the award registry point at award types: retire one with "active" instead.
        return False


class CampaignContentInline(admin.TabularInline):
    model = CampaignContent
    extra = 0


class CampaignSubjectGroupInline(admin.StackedInline):
    model = CampaignSubjectGroup
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ["name", "legal_basis", "launching_unit", "period_start", "period_end", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "legal_basis"]
    raw_id_fields = ["launching_unit"]
    inlines = [CampaignContentInline, CampaignSubjectGroupInline]

    def save_model(self, request, obj, form, change):
        services.campaign_save(campaign=obj, actor=request.user, changed_fields=form.changed_data)

    def has_delete_permission(self, request, obj=None):
        return False


class NomineeInline(ReadOnlyInline):
    model = Nominee
    fields = ["list_position", "subject_type", "full_name", "position", "outcome", "outcome_stage_unit"]
    readonly_fields = fields


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["kind", "original_name", "content_type", "size", "sha256", "uploaded_at"]
    readonly_fields = fields


class RouteStopInline(ReadOnlyInline):
    model = RouteStop
    fields = ["position", "unit", "level"]
    readonly_fields = fields


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdmin):
    list_display = ["title", "originating_unit", "award_type", "year", "status", "version", "submitted_at"]
    list_filter = ["status", "kind", "award_type", "year"]
    search_fields = ["title", "letter_number"]
    list_select_related = ["originating_unit", "award_type"]
    inlines = [RouteStopInline, NomineeInline, AttachmentInline]


@admin.register(Nominee)
class NomineeAdmin(ReadOnlyAdmin):
    list_display = ["full_name", "subject_type", "dossier", "outcome"]
    list_filter = ["subject_type", "outcome"]
    search_fields = ["full_name"]
    list_select_related = ["dossier"]
    exclude = ["national_id"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "kind", "dossier", "content_type", "size", "uploaded_at"]
    list_select_related = ["kind", "dossier"]
    exclude = ["file"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["number_display", "issuer_unit", "decision_date", "signer", "acting_for", "dossier"]
    list_filter = ["year"]
    list_select_related = ["issuer_unit", "signer", "acting_for", "dossier"]


@admin.register(DecisionCounter)
class DecisionCounterAdmin(admin.ModelAdmin):
    """The numbering series, read-only: editing a counter would repeat or skip decision numbers."""

    list_display = ["issuer_unit", "year", "last_number"]
    list_filter = ["year"]
    list_select_related = ["issuer_unit"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AwardRecord)
class AwardRecordAdmin(ReadOnlyAdmin):
    list_display = ["subject_name", "title", "year", "decision_number", "issuer", "source"]
    list_filter = ["source", "year", "award_type"]
    search_fields = ["subject_name", "title", "decision_number"]
    exclude = ["national_id"]
