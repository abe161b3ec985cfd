"""Dossier pages: thin views that read through the scoped selectors and write through one service call.

A dossier outside the user's scope is a 404 whatever the page; inside it, a user without the role the action
needs gets a 403; invalid input is shown next to its field with a 400, and nothing already saved is lost.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django.views import generic

from org_hierarchy.models import OrgUnit, Role
from org_hierarchy.selectors import holds_role
from web.spreadsheets import template_response
from web.streaming import stored_file_response
from web.views import ServiceFormView, add_service_errors, filters_left_out

from . import permissions, selectors, services
from .forms import (
    AttachmentForm,
    AwardHistoryImportForm,
    ConfirmForm,
    DossierFilterForm,
    DossierForm,
    NomineeForm,
    NomineeImportForm,
    PostingCommentForm,
    RegisterFilterForm,
    RevocationForm,
)
from .models import DossierStatus, Nominee
from .services.dossiers import DOSSIER_EDITABLE_FIELDS
from .services.nominees import IMPORT_NOTES, import_template_columns
from .services.registry import RECORD_COLUMNS, RECORD_NOTES
from .services.revocations import NOT_THE_ISSUER, may_revoke
from .services.tracking import NOT_EDITABLE

LIST_PAGE_SIZE = 50
# The approval flow's start page (mounted by the workflows app): the dossier pages post their draft to it.
SUBMIT_URL_NAME = "nomination:submit:execute"
# The eligibility page shows the route on its own, above the other checks.
ROUTE_RULE = "route_computable"

CREATED = _("The draft dossier was created.")
SAVED = _("Saved.")
NOMINEE_ADDED = _("The nominee was added.")
NOMINEE_REMOVED = _("The nominee was removed.")
ATTACHMENT_ADDED = _("The file was attached.")
ATTACHMENT_REMOVED = _("The file was removed.")
IMPORTED = _("%(count)d nominees were imported.")
FILE_MISSING = _("The stored file is missing; ask an administrator to restore it.")
NO_PREVIEW = _("This kind of file cannot be shown in the browser; download it instead.")
# Files the browser shows itself, in a tab or as a thumbnail; every other kind is only downloaded.
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
NOMINEES_TEMPLATE_NAME = _("nominee-list-template.xlsx")
HISTORY_TEMPLATE_NAME = _("award-history-template.xlsx")
HISTORY_IMPORTED = _("%(count)d award records were imported.")
REVOKED = _("The revocation was recorded.")
NO_DECISION = _("This dossier has no decision.")
NOT_A_REGISTER_READER = _("The award register is open to approvers and auditors.")
COMMENT_RECEIVED = _("Your comment was recorded.")
NO_SEAT_CONCERNED = _("Only the people of a unit concerned by this posting can comment on it.")


class DossierMixin:
    """Load the dossier through the user's scope (404 outside it), then run the page's own access check."""

    # Pages that draw the route's progress load the dossier with its stops and stage deadline.
    with_route_progress = False

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.dossier = selectors.dossier_get_visible(
                user=request.user, pk=kwargs["pk"], progress=self.with_route_progress
            )
            self.check_access()
        return super().dispatch(request, *args, **kwargs)

    def check_access(self) -> None:
        """Raise ``PermissionDenied`` or ``Http404`` when the user may not use this page; the default allows."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(dossier=self.dossier, **kwargs)

    def detail_url(self):
        return reverse("nominations:dossier_detail", args=[self.dossier.pk])


class DraftMixin(DossierMixin):
    """Pages that change a dossier: its unit's submitters only, and only while it is editable."""

    def check_access(self) -> None:
        super().check_access()
        if not permissions.is_submitter(user=self.request.user, unit_id=self.dossier.originating_unit_id):
            raise PermissionDenied(permissions.NOT_A_SUBMITTER)
        if not self.dossier.is_editable:
            raise PermissionDenied(NOT_EDITABLE)


class DossierListView(LoginRequiredMixin, generic.ListView):
    """The dashboard: the dossiers in the user's scope, filtered, each with its route drawn as progress."""

    template_name = "nominations/dossier_list.html"
    context_object_name = "dossiers"
    paginate_by = LIST_PAGE_SIZE

    def get(self, request, *args, **kwargs):
        self.filters = DossierFilterForm(request.GET or None)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        # A filter that is not understood (``?year=abc``) is left out, and the page says so; the others apply.
        criteria = {}
        if self.filters.is_bound:
            self.filters.is_valid()
            criteria = self.filters.cleaned_data
        return selectors.dossier_dashboard(
            user=self.request.user,
            status=criteria.get("status", ""),
            campaign=criteria.get("campaign"),
            year=criteria.get("year"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            filters=self.filters,
            may_create=selectors.submitter_units(user=self.request.user).exists(),
            **kwargs,
        )
        context["rows"] = [(dossier, selectors.route_progress(dossier)) for dossier in context["dossiers"]]
        context["filter_message"] = filters_left_out(self.filters)
        return context


class DossierCreateView(ServiceFormView):
    form_class = DossierForm
    template_name = "nominations/dossier_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def call_service(self, form):
        return services.dossier_create(actor=self.request.user, **form.cleaned_data)

    def succeeded(self, dossier):
        messages.success(self.request, CREATED)
        return redirect("nominations:dossier_detail", pk=dossier.pk)


class DossierEditView(DraftMixin, ServiceFormView):
    form_class = DossierForm
    template_name = "nominations/dossier_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "with_unit": False}

    def get_initial(self):
        return {field: getattr(self.dossier, field) for field in DOSSIER_EDITABLE_FIELDS}

    def get_context_data(self, **kwargs):
        return super().get_context_data(return_request=selectors.return_request_of(dossier=self.dossier), **kwargs)

    def call_service(self, form):
        return services.dossier_update(dossier=self.dossier, actor=self.request.user, **form.cleaned_data)

    def succeeded(self, dossier):
        messages.success(self.request, SAVED)
        return redirect(self.detail_url())


class DossierDetailView(DossierMixin, LoginRequiredMixin, generic.TemplateView):
    template_name = "nominations/dossier_detail.html"
    with_route_progress = True

    def get_context_data(self, **kwargs):
        dossier, user = self.dossier, self.request.user
        may_edit = dossier.is_editable and permissions.is_submitter(user=user, unit_id=dossier.originating_unit_id)
        submit_failures = None
        if may_edit and dossier.status == DossierStatus.DRAFT:
            # The draft's own submitter sees the "Submit" button once every check passes, else what to correct.
            submit_failures = [
                result for result in services.dossier_check_eligibility(dossier=dossier) if not result.passed
            ]
        decision = selectors.decision_of(dossier=dossier)
        return super().get_context_data(
            may_submit=submit_failures == [],
            submit_failures=submit_failures,
            submit_url=reverse(SUBMIT_URL_NAME),
            # A returned dossier comes back through its submitter's supplement step (assigned to its creator).
            may_resubmit=dossier.status == DossierStatus.RETURNED and dossier.created_by_id == user.pk,
            nominees=selectors.nominee_list(dossier=dossier),
            attachments=selectors.attachment_list(dossier=dossier),
            progress=selectors.route_progress(dossier),
            return_request=selectors.return_request_of(dossier=dossier),
            escalations=selectors.escalations_open_of(dossier=dossier),
            posting=selectors.posting_of(dossier=dossier),
            decision=decision,
            revocations=selectors.revocations_of(decision=decision),
            may_revoke=decision is not None and may_revoke(user=user, decision=decision),
            may_edit=may_edit,
            may_see_national_ids=selectors.may_see_full_national_id(user=user, dossier=dossier),
            inline_types=INLINE_TYPES,
            **kwargs,
        )


class EligibilityView(DossierMixin, LoginRequiredMixin, generic.TemplateView):
    """The checks the dossier must pass and the route it will take, shown before it is sent."""

    template_name = "nominations/eligibility.html"

    def get_context_data(self, **kwargs):
        results = services.dossier_check_eligibility(dossier=self.dossier)
        route = [result for result in results if result.rule == ROUTE_RULE]
        checks = [result for result in results if result.rule != ROUTE_RULE]
        return super().get_context_data(
            route_result=route[0] if route else None,
            failures=[result for result in checks if not result.passed],
            successes=[result for result in checks if result.passed],
            passed=all(result.passed for result in results),
            may_submit=self.dossier.is_editable
            and permissions.is_submitter(user=self.request.user, unit_id=self.dossier.originating_unit_id),
            **kwargs,
        )


class NomineeFormMixin:
    form_class = NomineeForm
    template_name = "nominations/nominee_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "dossier": self.dossier}


class NomineeCreateView(NomineeFormMixin, DraftMixin, ServiceFormView):
    def call_service(self, form):
        return services.nominee_add(dossier=self.dossier, actor=self.request.user, **form.cleaned_data)

    def succeeded(self, nominee):
        messages.success(self.request, NOMINEE_ADDED)
        return redirect(self.detail_url())


class NomineeMixin(DraftMixin):
    def check_access(self) -> None:
        self.nominee = selectors.nominee_get(dossier=self.dossier, pk=self.kwargs["nominee_pk"])
        super().check_access()

    def get_context_data(self, **kwargs):
        return super().get_context_data(nominee=self.nominee, **kwargs)


class NomineeEditView(NomineeFormMixin, NomineeMixin, ServiceFormView):
    def get_form_kwargs(self):
        # The form edits a copy: the service compares it with the stored nominee to find what changed.
        copy = Nominee.objects.get(pk=self.nominee.pk)
        if self.request.method == "GET":
            copy.national_id = services.nominee_national_id_reveal(
                user=self.request.user, nominee=self.nominee, context=gettext_noop("nominee edit form")
            )
        return {**super().get_form_kwargs(), "instance": copy}

    def call_service(self, form):
        return services.nominee_update(nominee=self.nominee, actor=self.request.user, **form.cleaned_data)

    def succeeded(self, nominee):
        messages.success(self.request, SAVED)
        return redirect(self.detail_url())


class NomineeRemoveView(NomineeMixin, ServiceFormView):
    form_class = ConfirmForm
    template_name = "nominations/confirm_remove.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(thing=self.nominee, **kwargs)

    def call_service(self, form):
        services.nominee_remove(nominee=self.nominee, actor=self.request.user)

    def succeeded(self, result):
        messages.success(self.request, NOMINEE_REMOVED)
        return redirect(self.detail_url())


class NationalIdView(DossierMixin, LoginRequiredMixin, generic.TemplateView):
    """Show one nominee's full citizen ID, on request, to a role that needs it (and record that it was shown)."""

    template_name = "nominations/national_id.html"

    def get_context_data(self, **kwargs):
        nominee = selectors.nominee_get(dossier=self.dossier, pk=self.kwargs["nominee_pk"])
        national_id = services.nominee_national_id_reveal(
            user=self.request.user, nominee=nominee, context=gettext_noop("dossier page")
        )
        return super().get_context_data(nominee=nominee, national_id=national_id, **kwargs)


class NomineeImportView(DraftMixin, ServiceFormView):
    form_class = NomineeImportForm
    template_name = "nominations/nominee_import.html"

    def form_valid(self, form):
        try:
            created = services.nominees_import_xlsx(
                dossier=self.dossier, actor=self.request.user, file=form.cleaned_data["file"]
            )
        except services.ImportRejected as error:
            form.add_error(None, error.messages[0])
            return self.render_to_response(self.get_context_data(form=form, row_errors=error.row_errors), status=400)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, IMPORTED % {"count": len(created)})
        return redirect(self.detail_url())


class NomineeTemplateView(DraftMixin, LoginRequiredMixin, generic.View):
    """The nominee list's XLSX template: the headers the import reads and an example row, in the user's language."""

    def get(self, request, *args, **kwargs):
        return template_response(
            import_template_columns(self.dossier), filename=str(NOMINEES_TEMPLATE_NAME), notes=IMPORT_NOTES
        )


class AttachmentCreateView(DraftMixin, ServiceFormView):
    form_class = AttachmentForm
    template_name = "nominations/attachment_form.html"

    def call_service(self, form):
        return services.attachment_add(
            dossier=self.dossier,
            actor=self.request.user,
            kind=form.cleaned_data["kind"],
            file=form.cleaned_data["file"],
        )

    def succeeded(self, attachment):
        messages.success(self.request, ATTACHMENT_ADDED)
        if self.request.headers.get("X-Requested-With") == "XMLHttpRequest":
            # static/meritflow/upload.js posted the form to show its progress; it opens the next page itself.
            return JsonResponse({"redirect": self.detail_url()})
        return redirect(self.detail_url())


class AttachmentMixin(DossierMixin):
    def check_access(self) -> None:
        self.attachment = selectors.attachment_get(dossier=self.dossier, pk=self.kwargs["attachment_pk"])
        super().check_access()


class AttachmentRemoveView(AttachmentMixin, DraftMixin, ServiceFormView):
    form_class = ConfirmForm
    template_name = "nominations/confirm_remove.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(thing=self.attachment, **kwargs)

    def call_service(self, form):
        services.attachment_remove(attachment=self.attachment, actor=self.request.user)

    def succeeded(self, result):
        messages.success(self.request, ATTACHMENT_REMOVED)
        return redirect(self.detail_url())


class AttachmentDownloadView(AttachmentMixin, LoginRequiredMixin, generic.View):
    """Serve a file through the dossier's scope, never from a public media URL."""

    inline = False

    def get(self, request, *args, **kwargs):
        attachment = self.attachment
        if self.inline and attachment.content_type not in INLINE_TYPES:
            raise Http404(NO_PREVIEW)
        try:
            response = stored_file_response(
                attachment.file,
                as_attachment=not self.inline,
                filename=attachment.original_name,
                content_type=attachment.content_type,
            )
        except FileNotFoundError as error:
            raise Http404(FILE_MISSING) from error
        # The content was sniffed at upload and is served under that type only; scoped pages are not cached.
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class AttachmentPreviewView(AttachmentDownloadView):
    """Show a PDF or an image in the browser (``Content-Disposition: inline``), through the same scope."""

    inline = True


class AwardHistoryImportView(ServiceFormView):
    form_class = AwardHistoryImportForm
    template_name = "nominations/award_history_import.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            permissions.ensure_administrator(user=request.user)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            created = services.award_history_import(actor=self.request.user, file=form.cleaned_data["file"])
        except services.ImportRejected as error:
            form.add_error(None, error.messages[0])
            return self.render_to_response(self.get_context_data(form=form, row_errors=error.row_errors), status=400)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, HISTORY_IMPORTED % {"count": len(created)})
        return redirect("nominations:award_history_import")


class AwardHistoryTemplateView(LoginRequiredMixin, generic.View):
    """The award history's XLSX template, for administrators."""

    def get(self, request, *args, **kwargs):
        permissions.ensure_administrator(user=request.user)
        return template_response(RECORD_COLUMNS, filename=str(HISTORY_TEMPLATE_NAME), notes=RECORD_NOTES)


class RevocationView(DossierMixin, ServiceFormView):
    """Revoke one award of the dossier's decision or the whole decision: approvers of the issuing unit only."""

    form_class = RevocationForm
    template_name = "nominations/revocation_form.html"

    def check_access(self) -> None:
        self.decision = selectors.decision_of(dossier=self.dossier)
        if self.decision is None:
            raise Http404(NO_DECISION)
        if not may_revoke(user=self.request.user, decision=self.decision):
            raise PermissionDenied(NOT_THE_ISSUER)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "awards": selectors.awards_in_force(decision=self.decision)}

    def get_initial(self):
        return {"revoked_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(decision=self.decision, **kwargs)

    def call_service(self, form):
        data = form.cleaned_data
        fields = {
            "actor": self.request.user,
            "reason": data["reason"],
            "reference": data["reference"],
            "revoked_on": data["revoked_on"],
        }
        if data["award"] is not None:
            return services.award_revoke(award=data["award"], **fields)
        return services.decision_revoke(decision=self.decision, **fields)

    def succeeded(self, revocation):
        messages.success(self.request, REVOKED)
        return redirect(self.detail_url())


class AwardRegisterView(LoginRequiredMixin, generic.ListView):
    """The award register (sổ vàng) of the decisions in the reader's scope: approvers and auditors."""

    template_name = "nominations/award_register.html"
    context_object_name = "records"
    paginate_by = LIST_PAGE_SIZE

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.may_read_register(user=request.user):
            raise PermissionDenied(NOT_A_REGISTER_READER)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        self.form = RegisterFilterForm(request.GET or None)
        response = super().get(request, *args, **kwargs)
        if self.form.is_bound and not self.form.is_valid():
            response.status_code = 400
        return response

    def get_queryset(self):
        return selectors.award_register(user=self.request.user, filters=self.form.filters())

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(form=self.form, query=query.urlencode(), **kwargs)


class PostingListView(LoginRequiredMixin, generic.ListView):
    """The public postings of the units concerned by the user's seats, newest first."""

    template_name = "nominations/posting_list.html"
    context_object_name = "postings"
    paginate_by = LIST_PAGE_SIZE

    def get_queryset(self):
        return selectors.postings_visible_to(user=self.request.user)


class PostingDetailView(ServiceFormView):
    """One posting: the list of proposed nominees, its period and legal reference, and the comment form while it
    is open. A posting of a unit the user's units are not concerned by is a 404."""

    form_class = PostingCommentForm
    template_name = "nominations/posting_detail.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.posting = selectors.posting_get_visible(user=request.user, pk=kwargs["pk"])
            self.office = holds_role(user=request.user, unit_id=self.posting.unit_id, role=Role.APPRAISER)
            self.seat_unit_id = selectors.posting_seat_unit_id(user=request.user, posting=self.posting)
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.seat_unit_id is None:
            raise PermissionDenied(NO_SEAT_CONCERNED)
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "posting": self.posting, "office": self.office}

    def get_context_data(self, **kwargs):
        user = self.request.user
        names = {nominee["id"]: nominee["name"] for nominee in self.posting.nominees}
        comments = list(selectors.posting_comments(user=user, posting=self.posting))
        for comment in comments:
            comment.nominee_name = names.get(comment.nominee_id, "")
        return super().get_context_data(
            posting=self.posting,
            may_comment=self.posting.is_open and self.seat_unit_id is not None,
            comments=comments,
            reads_all_comments=selectors.may_read_posting_comments(user=user, posting=self.posting),
            **kwargs,
        )

    def call_service(self, form):
        data = form.cleaned_data
        return services.posting_comment_add(
            posting=self.posting,
            actor=self.request.user,
            author_unit=OrgUnit.objects.get(pk=self.seat_unit_id),
            text=data["text"],
            nominee_id=data["nominee"],
            received_from=data.get("received_from", ""),
        )

    def succeeded(self, comment):
        messages.success(self.request, COMMENT_RECEIVED)
        return redirect("nominations:posting_detail", pk=self.posting.pk)
