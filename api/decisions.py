"""Decisions and certificates through the API: read-only, through the documents' own selectors and downloads.

A decision is visible when its dossier is (404 otherwise), as on the dossier page; its documents are the stored
PDFs the pages serve, asked for when missing (202 with ``Retry-After`` while the worker renders them). The
public verification by code answers what the verification page shows, with the page's own throttle per client
address.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from documents import selectors as document_selectors
from documents import services as document_services
from documents.models import DocumentKind, DocumentStatus
from documents.views import PREPARING_REFRESH_SECONDS, document_filename, pdf_response, throttled
from nominations import selectors as nomination_selectors

from . import serializers
from .base import ApiViewMixin
from .problems import CONTENT_TYPE
from .schema import PROBLEM

PREPARING = _(
    "This document is being prepared; ask again after the seconds in Retry-After. A decision with many awardees "
    "can take a few minutes."
)
NOT_PREPARED = _("This document could not be prepared. Administrators see the error and can ask for it again.")
UNKNOWN_CODE = _("No certificate has this code. Check the code printed under the QR code.")
TOO_MANY_LOOKUPS = _("Too many lookups from your address. Please wait a minute and try again.")


class DocumentNotPrepared(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = NOT_PREPARED
    default_code = "unavailable"


class TooManyLookups(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = TOO_MANY_LOOKUPS
    default_code = "throttled"
    wait = 60  # the allowance is per minute (``MERITFLOW_VERIFY_PER_MINUTE``)


class PdfRenderer(BaseRenderer):
    """Lets a client ask for ``application/pdf``; a ready document is the stored file itself, and what is not a
    file (an error, "being prepared") is written as JSON, with its own content type."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data, renderer_context=renderer_context)


DOWNLOAD_RESPONSES = {
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The stored PDF."),
    (202, "application/json"): OpenApiResponse(
        serializers.DocumentPreparingSerializer,
        description="Being prepared: ask again after Retry-After seconds.",
    ),
    (503, CONTENT_TYPE): OpenApiResponse(PROBLEM, description="It could not be prepared; an administrator can retry."),
}


def document_answer(document, filename: str):
    """The stored PDF once ready; 202 while the documents worker prepares it; 503 if it could not."""
    if document.status != DocumentStatus.READY:
        # A backend that runs tasks at once (development) has rendered it by now.
        document.refresh_from_db()
    if document.status == DocumentStatus.READY:
        return pdf_response(document, filename)
    if document.status == DocumentStatus.FAILED:
        raise DocumentNotPrepared()
    body = {"status": {"code": document.status, "label": str(document.get_status_display())}, "detail": str(PREPARING)}
    return Response(
        body,
        status=status.HTTP_202_ACCEPTED,
        content_type="application/json",
        headers={"Retry-After": str(PREPARING_REFRESH_SECONDS), "Cache-Control": "private, no-store"},
    )


class DownloadView(ApiViewMixin, APIView):
    renderer_classes = [JSONRenderer, PdfRenderer]


class DecisionListView(ApiViewMixin, generics.ListAPIView):
    """The decisions of the dossiers in the caller's scope, newest first, with how many awards each made."""

    serializer_class = serializers.DecisionSerializer

    def get_queryset(self):
        return document_selectors.decision_list_visible(user=self.request.user)


class DecisionDetailView(ApiViewMixin, APIView):
    """One decision, with its revocations and the addresses of its documents."""

    @extend_schema(responses=serializers.DecisionDetailSerializer)
    def get(self, request, pk):
        decision = document_selectors.decision_get_visible(user=request.user, pk=pk)
        context = {"revocations": nomination_selectors.revocations_of(decision=decision)}
        return Response(serializers.DecisionDetailSerializer(decision, context=context).data)


class DecisionCertificateListView(ApiViewMixin, generics.ListAPIView):
    """The awards a decision made, in golden-book order, each with its certificate."""

    serializer_class = serializers.CertificateSerializer

    def get_queryset(self):
        decision = document_selectors.decision_get_visible(user=self.request.user, pk=self.kwargs["pk"])
        return document_selectors.award_list(decision=decision)


class DecisionDocumentView(DownloadView):
    """The decision with its annex (PDF)."""

    kind = DocumentKind.DECISION

    @extend_schema(responses=DOWNLOAD_RESPONSES)
    def get(self, request, pk):
        decision = document_selectors.decision_get_visible(user=request.user, pk=pk)
        document = document_services.document_request(decision=decision, kind=self.kind)
        return document_answer(document, document_filename(decision, self.kind))


class DecisionCertificatesDocumentView(DecisionDocumentView):
    """All the decision's certificates in one PDF, for printing."""

    kind = DocumentKind.CERTIFICATES


class CertificateDetailView(ApiViewMixin, APIView):
    """One award of a decision in the caller's scope, with its certificate's code."""

    @extend_schema(responses=serializers.CertificateSerializer)
    def get(self, request, pk):
        record = document_selectors.award_get_visible(user=request.user, pk=pk)
        return Response(serializers.CertificateSerializer(record).data)


class CertificateDocumentView(DownloadView):
    """One certificate (PDF)."""

    @extend_schema(responses=DOWNLOAD_RESPONSES)
    def get(self, request, pk):
        record = document_selectors.award_get_visible(user=request.user, pk=pk)
        kind = DocumentKind.CERTIFICATE
        document = document_services.document_request(decision=record.decision, kind=kind, record=record)
        return document_answer(document, document_filename(record.decision, kind, record))


class VerifyView(ApiViewMixin, APIView):
    """Public: check a certificate by the code printed under its QR code (with or without its dashes). Unknown
    and malformed codes get the same 404; lookups are limited per client address, as on the verification page."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(responses=serializers.VerificationSerializer, auth=[])
    def get(self, request, code):
        if throttled(request):
            raise TooManyLookups()
        record = document_selectors.award_by_code(code)
        if record is None:
            raise exceptions.NotFound(UNKNOWN_CODE)
        response = Response(serializers.VerificationSerializer(record).data)
        response["Cache-Control"] = "no-store"
        return response
