"""The auditor's workspace: read-only pages; no view here accepts a state-changing request."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.formats import number_format
from django.views import View
from django.views.generic import ListView, TemplateView

from . import exports, selectors, services, timeline
from .forms import LedgerSearchForm


class AuditorRequiredMixin(LoginRequiredMixin):
    """Let in auditors only, and only to read: other methods get 405 before any code runs."""

    http_method_names = ["get", "head", "options"]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.is_auditor(user=request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class LedgerSearchMixin(AuditorRequiredMixin):
    def search(self):
        """Return the bound search form and the entries it selects (none while the form is invalid)."""
        form = LedgerSearchForm(self.request.GET or None, user=self.request.user)
        if form.is_bound and not form.is_valid():
            return form, None
        filters = form.cleaned_data if form.is_bound else {}
        return form, selectors.ledger_entry_list(user=self.request.user, **filters)


class LedgerSearchView(LedgerSearchMixin, ListView):
    template_name = "audit/ledger_list.html"
    context_object_name = "entries"
    paginate_by = 50

    def get(self, request, *args, **kwargs):
        self.form, self.entries = self.search()
        response = super().get(request, *args, **kwargs)
        if self.entries is None:
            response.status_code = 400
        return response

    def get_queryset(self):
        return self.entries if self.entries is not None else selectors.ledger_entry_list(user=self.request.user).none()

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        context = super().get_context_data(form=self.form, query=query.urlencode(), **kwargs)
        for entry in context["entries"]:
            entry.timeline_url = timeline.url_for(subject_type_id=entry.subject_type_id, subject_id=entry.subject_id)
        return context


class LedgerExportView(LedgerSearchMixin, View):
    """The current search as a file; the same filters as the page, every matching entry."""

    def get(self, request, *args, fmt, **kwargs):
        _form, entries = self.search()
        if entries is None:
            return LedgerSearchView.as_view()(request)
        if fmt == "csv":
            return exports.ledger_csv(entries)
        if fmt == "xlsx":
            if exports.fits_xlsx(entries):
                return exports.ledger_xlsx(entries)
            messages.error(
                request,
                exports.TOO_MANY_FOR_XLSX % {"max": number_format(exports.XLSX_MAX_ENTRIES, force_grouping=True)},
            )
            response = LedgerSearchView.as_view()(request)
            response.status_code = 400
            return response
        raise Http404


class VerifyView(AuditorRequiredMixin, TemplateView):
    """The last verification of the chain (as ``verify_audit`` does it) and a button to run a new one.

    GET only reads the stored result, so opening the page costs nothing however long the ledger; POST runs a new
    verification. Auditors may POST here: it writes only the audit's own record of the run.
    """

    template_name = "audit/verify.html"
    http_method_names = ["get", "post", "head", "options"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(run=selectors.verification_last(), **kwargs)

    def post(self, request, *args, **kwargs):
        services.verification_run(actor=request.user)
        return redirect("audit:verify")


class PersonalDataAccessListView(AuditorRequiredMixin, ListView):
    template_name = "audit/personal_data_access_list.html"
    context_object_name = "accesses"
    paginate_by = 50

    def get_queryset(self):
        return selectors.personal_data_access_list(user=self.request.user)


class TimelineView(LoginRequiredMixin, TemplateView):
    """One dossier's history: ledger entries, field changes and workflow steps in time order.

    Open to whoever's scope covers the subject (an auditor's subtree, the dossier's own people); a foreign id
    is a 404.
    """

    template_name = "audit/timeline.html"
    http_method_names = ["get", "head", "options"]

    def get_context_data(self, **kwargs):
        subject = timeline.subject_get(key=self.kwargs["key"], user=self.request.user, pk=self.kwargs["pk"])
        entries = timeline.timeline_of(subject)
        return super().get_context_data(
            subject=subject,
            entries=entries,
            acts=timeline.acts_of(entries),
            is_auditor=selectors.is_auditor(user=self.request.user),
            **kwargs,
        )
