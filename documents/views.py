"""Downloads of a decision's documents through the dossier's scope, and the public verification page."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import generic

from web.streaming import stored_file_response

from . import selectors, services
from .forms import VerifyForm
from .models import DocumentKind, DocumentStatus

FILE_MISSING = _("The stored document is missing; ask an administrator to restore it.")
# The page saying a document is being prepared reloads itself this often, and serves the file once it is there.
PREPARING_REFRESH_SECONDS = 5


def pdf_response(document, filename: str):
    """The stored PDF of a ready document, sent as the site sends files (also the API's downloads)."""
    try:
        response = stored_file_response(
            document.file, as_attachment=False, filename=filename, content_type="application/pdf"
        )
    except FileNotFoundError as error:
        raise Http404(FILE_MISSING) from error
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["X-Document-SHA256"] = document.sha256
    return response


def document_filename(decision, kind: str, record=None) -> str:
    """The download's file name: the decision's number, and for certificates the golden-book number."""
    stem = decision.number_display.replace("/", "-")
    if kind == DocumentKind.CERTIFICATES:
        return f"{stem}-bang.pdf"
    if kind == DocumentKind.CERTIFICATE:
        return f"{stem}-{record.golden_book_number}.pdf"
    return f"{stem}.pdf"


def _document_response(request, decision, document, filename: str):
    """The stored file once it is ready; until then a page saying it is being prepared (or could not be)."""
    if document.status != DocumentStatus.READY:
        # A backend that runs tasks at once (development) has rendered it by now.
        document.refresh_from_db()
    if document.status == DocumentStatus.READY:
        return pdf_response(document, filename)
    failed = document.status == DocumentStatus.FAILED
    context = {"decision": decision, "document": document, "failed": failed, "refresh": PREPARING_REFRESH_SECONDS}
    response = render(request, "documents/preparing.html", context, status=503 if failed else 202)
    response["Cache-Control"] = "private, no-store"
    if not failed:
        response["Retry-After"] = str(PREPARING_REFRESH_SECONDS)
    return response


class DecisionMixin(LoginRequiredMixin):
    @property
    def decision(self):
        return selectors.decision_visible(user=self.request.user, dossier_pk=self.kwargs["pk"])


class DecisionPdfView(DecisionMixin, generic.View):
    def get(self, request, *args, **kwargs):
        decision = self.decision
        document = services.document_request(decision=decision, kind=DocumentKind.DECISION)
        return _document_response(request, decision, document, document_filename(decision, DocumentKind.DECISION))


class CertificatesPdfView(DecisionMixin, generic.View):
    def get(self, request, *args, **kwargs):
        decision = self.decision
        document = services.document_request(decision=decision, kind=DocumentKind.CERTIFICATES)
        filename = document_filename(decision, DocumentKind.CERTIFICATES)
        return _document_response(request, decision, document, filename)


class CertificatePdfView(DecisionMixin, generic.View):
    def get(self, request, *args, **kwargs):
        decision = self.decision
        record = selectors.award_of(decision=decision, pk=kwargs["record_pk"])
        document = services.document_request(decision=decision, kind=DocumentKind.CERTIFICATE, record=record)
        filename = document_filename(decision, DocumentKind.CERTIFICATE, record)
        return _document_response(request, decision, document, filename)


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def throttled(request) -> bool:
    """Count a lookup against the client address's allowance for the current minute."""
    minute = timezone.now().strftime("%Y%m%d%H%M")
    key = f"verify:{_client_address(request)}:{minute}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:
        count = 1
    return count > settings.MERITFLOW_VERIFY_PER_MINUTE


@method_decorator(login_not_required, name="dispatch")
class VerifyView(generic.TemplateView):
    """Anyone may check a certificate by its code or QR; unknown and malformed codes get the same answer."""

    template_name = "documents/verify.html"

    def get(self, request, *args, **kwargs):
        code = kwargs.get("code")
        form = VerifyForm(request.GET or None)
        if code is None and form.is_bound:
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(form=form), status=400)
            return redirect("documents:verify_code", code=form.cleaned_data["code"])
        if code is None:
            return self.render_to_response(self.get_context_data(form=form))
        if throttled(request):
            return self.render_to_response(self.get_context_data(form=VerifyForm(), throttled=True), status=429)
        record = selectors.award_by_code(code)
        context = self.get_context_data(form=VerifyForm(), looked_up=True, record=record)
        return self.render_to_response(context, status=200 if record else 404)
