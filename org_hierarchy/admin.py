"""Admin of the organisation: the unit tree, memberships (through the services) and users, with history."""

from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from web.spreadsheets import template_response

from . import services
from .forms import MembershipEndForm, MembershipGrantForm, UsersImportForm
from .models import Membership, OrgUnit, Role, User
from .selectors import units_in_scope

USERS_TEMPLATE_NAME = _("users-template.xlsx")


@admin.register(OrgUnit)
class OrgUnitAdmin(SimpleHistoryAdmin, TreeAdmin):
    form = movenodeform_factory(OrgUnit, exclude=["numchild"])
    list_display = ["name", "short_name", "branch", "level", "admin_code", "is_active"]
    list_filter = ["branch", "level", "is_active"]
    search_fields = ["name", "admin_code", "short_name"]
    history_list_display = ["name", "is_active"]

    def has_delete_permission(self, request, obj=None):
        # Dossiers, memberships and the ledger point at units: retire a unit (is_active) instead.
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    fields = ["unit", "role", "valid_from", "valid_to", "acting_for", "revoked_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit", "acting_for")


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "unit", "valid_from", "valid_to", "acting_for", "revoked_at"]
    list_filter = ["role", "unit__branch", "unit__level", "valid_to", "revoked_at"]
    search_fields = ["user__username", "user__full_name", "unit__name", "unit__admin_code"]
    list_select_related = ["user", "unit", "acting_for"]
    autocomplete_fields = ["user", "unit", "acting_for"]
    actions = ["end_memberships", "revoke_memberships"]
    history_list_display = ["valid_to", "revoked_at"]

    def get_queryset(self, request):
        memberships = super().get_queryset(request)
        if request.user.is_superuser:
            return memberships
        # A unit administrator sees and manages the memberships of their own subtree only.
        return memberships.filter(unit__in=units_in_scope(user=request.user, roles=[Role.ADMIN]))

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = type("MembershipGrantForm", (MembershipGrantForm,), {"actor": request.user})
        else:
            kwargs["form"] = MembershipEndForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # A membership is changed only by moving its end date, ending or revoking it, so guardian stays in sync.
        if obj is not None:
            return [f.name for f in Membership._meta.fields if f.name != "valid_to"]
        return []

    def save_model(self, request, obj, form, change):
        if change:
            if "valid_to" in form.changed_data and obj.revoked_at is None:
                services.membership_end(
                    membership=Membership.objects.select_related("user").get(pk=obj.pk),
                    actor=request.user,
                    on=form.cleaned_data["valid_to"],
                )
            return
        data = form.cleaned_data
        membership = services.membership_grant(
            user=data["user"],
            unit=data["unit"],
            role=data["role"],
            actor=request.user,
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            acting_for=data["acting_for"],
            note=data["note"],
        )
        # The admin reads the new row's id for its message and redirect.
        obj.pk = membership.pk

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("End the selected memberships (from today)"), permissions=["change"])
    def end_memberships(self, request, queryset):
        ended = 0
        for membership in queryset.filter(revoked_at__isnull=True).select_related("user"):
            services.membership_end(membership=membership, actor=request.user)
            ended += 1
        self.message_user(
            request, ngettext("%(count)d membership ended.", "%(count)d memberships ended.", ended) % {"count": ended}
        )

    @admin.action(description=_("Revoke the selected memberships"), permissions=["change"])
    def revoke_memberships(self, request, queryset):
        revoked = 0
        for membership in queryset.filter(revoked_at__isnull=True).select_related("user"):
            services.membership_revoke(membership=membership, actor=request.user, reason=_("Revoked in the admin."))
            revoked += 1
        self.message_user(
            request,
            ngettext("%(count)d membership revoked.", "%(count)d memberships revoked.", revoked) % {"count": revoked},
        )


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    change_list_template = "admin/org_hierarchy/user/change_list.html"
    list_display = ["username", "full_name", "email", "position", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["full_name", "position", "email", "phone", "language"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "full_name", "email", "password1", "password2"]}),
    ]
    inlines = [MembershipInline]
    actions = ["send_invitations", "reset_two_factor"]

    @admin.action(description=_("Send the invitation to choose a password again"), permissions=["change"])
    def send_invitations(self, request, queryset):
        sent = services.users_invite(users=list(queryset), actor=request.user)
        skipped = queryset.count() - sent
        self.message_user(
            request,
            ngettext("%(count)d invitation sent.", "%(count)d invitations sent.", sent) % {"count": sent},
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d person was left out: no e-mail address, or a password already chosen.",
                    "%(count)d people were left out: no e-mail address, or a password already chosen.",
                    skipped,
                )
                % {"count": skipped},
                level=messages.WARNING,
            )

    @admin.action(
        description=_("Reset two-factor authentication (a lost phone): set it up again at the next sign-in"),
        permissions=["change"],
    )
    def reset_two_factor(self, request, queryset):
        reset = sum(1 for user in queryset if services.two_factor_reset_for(user=user, actor=request.user))
        self.message_user(
            request,
            ngettext(
                "Two-factor authentication reset for %(count)d person.",
                "Two-factor authentication reset for %(count)d people.",
                reset,
            )
            % {"count": reset},
        )

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="org_hierarchy_user_import"),
            path(
                "import/template.xlsx",
                self.admin_site.admin_view(self.import_template_view),
                name="org_hierarchy_user_import_template",
            ),
            *super().get_urls(),
        ]

    def check_import_permission(self, request):
        if not (self.has_add_permission(request) and request.user.has_perm("org_hierarchy.add_membership")):
            raise PermissionDenied

    def import_template_view(self, request):
        """The users file's XLSX template: its headers and an example row in the user's language."""
        self.check_import_permission(request)
        return template_response(
            services.users_template_columns(), filename=str(USERS_TEMPLATE_NAME), notes=services.USER_NOTES
        )

    def import_view(self, request):
        """Upload a CSV/XLSX file of users and memberships; show the row errors or what was created."""
        self.check_import_permission(request)
        report = None
        form = UsersImportForm(request.POST, request.FILES) if request.method == "POST" else UsersImportForm()
        status = 200
        if form.is_bound and form.is_valid():
            report = services.users_import(file=form.cleaned_data["file"], actor=request.user)
            if report.ok:
                messages.success(
                    request,
                    _("%(users)d users created and %(memberships)d memberships granted.")
                    % {"users": report.users_created, "memberships": report.memberships_created},
                )
            else:
                status = 400
        elif form.is_bound:
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import users and memberships"),
            "opts": self.opts,
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/org_hierarchy/user/import.html", context, status=status)


@admin.register(AccessAttempt)
class SignInLockoutAdmin(admin.ModelAdmin):
    """Accounts and client addresses with failed sign-ins; the action lifts a lockout, with a ledger entry."""

    list_display = ["username", "ip_address", "failures_since_start", "attempt_time"]
    search_fields = ["username", "ip_address"]
    actions = ["unlock"]
    fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.action(description=_("Unlock the selected accounts and addresses"), permissions=["view"])
    def unlock(self, request, queryset):
        cleared = 0
        for attempt in queryset:
            cleared += services.login_unlock(attempt=attempt, actor=request.user)
        self.message_user(
            request,
            ngettext("%(count)d sign-in lockout lifted.", "%(count)d sign-in lockouts lifted.", cleared)
            % {"count": cleared},
        )


# A second factor is reset with the people's action above, on the record; django-otp's own device pages would delete
# devices unrecorded and show their keys.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)
