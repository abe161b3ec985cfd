"""The ledger for auditors: its entries through the auditor's own search, and the verification of its chain.

The search is the ledger page's form (the same filters, the same messages for a bad one), over the same scoped
selector: an auditor reads the entries of the units they audit. Starting a verification changes nothing of the
domain, so an auditor may do it, as on the verification page.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from audit import facets
from audit import labels as audit_labels
from audit import selectors as audit_selectors
from audit import services as audit_services
from audit.events import AuditEvent
from audit.forms import LedgerSearchForm

from . import forms_io, serializers
from .base import ApiViewMixin

NOT_AN_AUDITOR = _("Only auditors read the ledger.")
NOT_VERIFIED = _("The ledger has not been verified yet.")

SEARCH = [
    OpenApiParameter("unit", OpenApiTypes.INT, description="A unit you audit, with its subtree."),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="From this day (local time), included."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="To this day (local time), included."),
    OpenApiParameter("actor", OpenApiTypes.STR, description="Part of the actor's name."),
    OpenApiParameter("event", OpenApiTypes.STR, enum=AuditEvent.values, description="One kind of entry."),
    OpenApiParameter("award_type", OpenApiTypes.STR, description="An award type's number."),
    OpenApiParameter("campaign", OpenApiTypes.STR, description="A campaign's number."),
    OpenApiParameter("outcome", OpenApiTypes.STR, description="A nominee outcome the entry recorded."),
]


def require_auditor(user):
    if not audit_selectors.is_auditor(user=user):
        raise exceptions.PermissionDenied(NOT_AN_AUDITOR)


@extend_schema(parameters=SEARCH)
class LedgerListView(ApiViewMixin, generics.ListAPIView):
    """The ledger's entries of the units you audit, newest first, narrowed as on the ledger page."""

    serializer_class = serializers.LedgerEntrySerializer

    def get_queryset(self):
        require_auditor(self.request.user)
        form = LedgerSearchForm(self.request.query_params or None, user=self.request.user)
        if form.is_bound and not form.is_valid():
            raise forms_io.form_errors(form)
        filters = form.cleaned_data if form.is_bound else {}
        return audit_selectors.ledger_entry_list(user=self.request.user, **filters)

    # The names the page's entries refer to (units, codes), looked up once for the page by ``paginate_queryset``.
    names = {}

    def get_serializer_context(self):
        return super().get_serializer_context() | {
            "outcomes": dict(facets.choices_of(facets.OUTCOME)),
            "names": self.names,
        }

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.names = audit_labels.names_of(entry.data for entry in page)
        return page


class LedgerVerificationView(ApiViewMixin, APIView):
    """The last verification of the ledger's chain; ``POST`` verifies it again, now, and answers the result."""

    auditors_may_post = True

    @extend_schema(responses=serializers.LedgerVerificationSerializer)
    def get(self, request):
        require_auditor(request.user)
        run = audit_selectors.verification_last()
        if run is None:
            raise exceptions.NotFound(NOT_VERIFIED)
        return Response(serializers.LedgerVerificationSerializer(run).data)

    @extend_schema(
        request=None,
        responses={201: OpenApiResponse(serializers.LedgerVerificationSerializer, description="The new result.")},
    )
    def post(self, request):
        require_auditor(request.user)
        run = audit_services.verification_run(actor=request.user)
        return Response(serializers.LedgerVerificationSerializer(run).data, status=status.HTTP_201_CREATED)
