"""Dossiers through the API: the pages' forms validate, the pages' services write, the pages' selectors scope.

A dossier outside the caller's scope is a 404; inside it, changing it needs the submitter role at its unit (403)
and an editable status (409). Edits carry ``If-Match`` with the ETag last read (412 when it changed, 428 without
it); submit, withdraw and resubmit accept an ``Idempotency-Key``.
"""

import hashlib

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from nominations import permissions as nomination_permissions
from nominations import selectors as nomination_selectors
from nominations import services as nomination_services
from nominations.forms import DossierForm, NomineeForm
from nominations.models import Dossier, DossierStatus
from nominations.services.dossiers import DOSSIER_EDITABLE_FIELDS
from nominations.services.tracking import NOT_EDITABLE
from workflows import forms as workflow_forms
from workflows import selectors as workflow_selectors
from workflows import services as workflow_services
from workflows.flows import NominationFlow
from workflows.views import NOTHING_TO_RESUBMIT

from . import forms_io, serializers
from .base import ApiViewMixin
from .idempotency import HEADER as IDEMPOTENCY_HEADER
from .idempotency import idempotent
from .problems import Conflict, PreconditionFailed, PreconditionRequired
from .steps import run_step

NOT_SUBMITTED = _("This dossier has not been submitted.")

IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True, description="The ETag of the dossier as last read."
)
IDEMPOTENCY_KEY = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    str,
    OpenApiParameter.HEADER,
    description="Any unique text (e.g. a UUID): a retry with the same key answers the first reply, unacted.",
)


def etag_of(dossier: Dossier) -> str:
    """The dossier's entity tag: it changes with every save of the dossier (its fields, nominees, files, status)."""
    text = f"{dossier.pk}:{dossier.version}:{dossier.updated_at.isoformat()}"
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def detail_response(request, dossier_pk: int, *, status_code=status.HTTP_200_OK) -> Response:
    dossier = nomination_selectors.dossier_get_visible(user=request.user, pk=dossier_pk)
    process = NominationFlow.process_class.objects.filter(artifact_object_id=dossier.pk).values("pk").first()
    context = {
        "nominees": nomination_selectors.nominee_list(dossier=dossier),
        "process_id": process["pk"] if process else None,
    }
    data = serializers.DossierDetailSerializer(dossier, context=context).data
    headers = {"ETag": etag_of(dossier)}
    if status_code == status.HTTP_201_CREATED:
        headers["Location"] = reverse("api:dossier", args=[dossier.pk])
    return Response(data, status=status_code, headers=headers)


def ensure_may_change(request, dossier: Dossier) -> None:
    """The dossier pages' rule for changing a dossier: its unit's submitters, while it is editable."""
    if not nomination_permissions.is_submitter(user=request.user, unit_id=dossier.originating_unit_id):
        raise PermissionDenied(nomination_permissions.NOT_A_SUBMITTER)
    if not dossier.is_editable:
        raise Conflict(NOT_EDITABLE)


def lock_visible(request, pk) -> Dossier:
    """The visible dossier, its row locked until the end of the transaction (edits and acts queue on it)."""
    dossier = nomination_selectors.dossier_get_visible(user=request.user, pk=pk)
    return Dossier.objects.select_for_update(of=("self",)).get(pk=dossier.pk)


class DossierListView(ApiViewMixin, generics.GenericAPIView):
    """The dossiers of the caller's scope, newest first; ``status`` filters. POST opens a draft (the fields of the
    page's form; the unit is one where the caller is a submitter)."""

    serializer_class = serializers.DossierSerializer

    def get_queryset(self):
        dossiers = nomination_selectors.dossier_list_visible_to(user=self.request.user)
        wanted = self.request.query_params.get("status", "")
        if wanted in DossierStatus.values:
            dossiers = dossiers.filter(status=wanted)
        return dossiers

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=DossierStatus.values)],
        responses=serializers.DossierSerializer(many=True),
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request={"application/json": forms_io.form_schema(DossierForm)},
        responses={201: serializers.DossierDetailSerializer},
    )
    def post(self, request):
        data, files = forms_io.form_data(request)
        form = DossierForm(data, files, user=request.user)
        if not form.is_valid():
            raise forms_io.form_errors(form)
        dossier = nomination_services.dossier_create(actor=request.user, **form.cleaned_data)
        return detail_response(request, dossier.pk, status_code=status.HTTP_201_CREATED)


class DossierDetailView(ApiViewMixin, APIView):
    """One dossier with its nominees and route; the ETag header is what ``If-Match`` must carry to edit it."""

    @extend_schema(responses=serializers.DossierDetailSerializer)
    def get(self, request, pk):
        return detail_response(request, pk)

    @extend_schema(
        parameters=[IF_MATCH],
        request={"application/json": forms_io.form_schema(DossierForm, exclude=["originating_unit"], optional=True)},
        responses=serializers.DossierDetailSerializer,
    )
    def patch(self, request, pk):
        """Change the draft's fields (those sent; the others keep their value), if it is unchanged since read."""
        expected = request.headers.get("If-Match", "").strip()
        if not expected:
            raise PreconditionRequired()
        with transaction.atomic():
            dossier = lock_visible(request, pk)
            if expected != "*" and etag_of(dossier) not in [tag.strip() for tag in expected.split(",")]:
                raise PreconditionFailed()
            ensure_may_change(request, dossier)
            sent, files = forms_io.form_data(request)
            data = sent.copy()
            for field in DOSSIER_EDITABLE_FIELDS:
                if field not in sent:
                    value = getattr(dossier, f"{field}_id" if field in ("campaign", "award_type") else field)
                    if value not in (None, ""):
                        data[field] = value.isoformat() if hasattr(value, "isoformat") else str(value)
            form = DossierForm(data, files, user=request.user, with_unit=False)
            if not form.is_valid():
                raise forms_io.form_errors(form)
            nomination_services.dossier_update(dossier=dossier, actor=request.user, **form.cleaned_data)
        return detail_response(request, pk)


class NomineeListView(ApiViewMixin, APIView):
    """The dossier's nominees in list order; POST adds one (the fields of the page's nominee form; an individual of
    a campaign's dossier may be put in one of the campaign's ``subject_groups``)."""

    @extend_schema(responses=serializers.NomineeSerializer(many=True))
    def get(self, request, pk):
        dossier = nomination_selectors.dossier_get_visible(user=request.user, pk=pk)
        return Response(
            serializers.NomineeSerializer(nomination_selectors.nominee_list(dossier=dossier), many=True).data
        )

    @extend_schema(
        request={"application/json": forms_io.form_schema(NomineeForm)},
        responses={201: serializers.NomineeSerializer},
    )
    def post(self, request, pk):
        dossier = nomination_selectors.dossier_get_visible(user=request.user, pk=pk)
        ensure_may_change(request, dossier)
        data, files = forms_io.form_data(request)
        form = NomineeForm(data, files, user=request.user, dossier=dossier)
        if not form.is_valid():
            raise forms_io.form_errors(form)
        nominee = nomination_services.nominee_add(dossier=dossier, actor=request.user, **form.cleaned_data)
        return Response(serializers.NomineeSerializer(nominee).data, status=status.HTTP_201_CREATED)


class EligibilityView(ApiViewMixin, APIView):
    """The checks the dossier must pass before it is sent, and whether it passes them all."""

    @extend_schema(responses=serializers.EligibilitySerializer)
    def get(self, request, pk):
        dossier = nomination_selectors.dossier_get_visible(user=request.user, pk=pk)
        results = nomination_services.dossier_check_eligibility(dossier=dossier)
        return Response(
            serializers.EligibilitySerializer(
                {"passed": all(result.passed for result in results), "results": results}
            ).data
        )


class SubmitView(ApiViewMixin, APIView):
    """Submit a draft: its eligibility is checked, its route stored, and it goes to its first stage."""

    @extend_schema(request=None, parameters=[IDEMPOTENCY_KEY], responses=serializers.DossierDetailSerializer)
    def post(self, request, pk):
        with transaction.atomic():
            dossier = lock_visible(request, pk)

            def act():
                # The submitter role and the draft status are dossier_submit's checks (403, 409).
                node = NominationFlow.submit
                activation = node.activation_class.create(node, None, None)
                if not node.can_execute(request.user, activation.task):
                    raise PermissionDenied(nomination_permissions.NOT_A_SUBMITTER)
                activation.start(request)
                workflow_services.process_start(activation=activation, dossier=dossier, actor=request.user)
                return detail_response(request, pk)

            return idempotent(request, act)


def process_of(dossier: Dossier):
    process = NominationFlow.process_class.objects.filter(artifact_object_id=dossier.pk).first()
    if process is None:
        raise Conflict(NOT_SUBMITTED)
    return process


class WithdrawView(ApiViewMixin, APIView):
    """Withdraw a submitted dossier before its decision (its submitter, with a reason)."""

    @extend_schema(
        request={"application/json": forms_io.form_schema(workflow_forms.WithdrawForm)},
        parameters=[IDEMPOTENCY_KEY],
        responses=serializers.DossierDetailSerializer,
    )
    def post(self, request, pk):
        process = process_of(nomination_selectors.dossier_get_visible(user=request.user, pk=pk))

        def act():
            data, files = forms_io.form_data(request)
            form = workflow_forms.WithdrawForm(data, files)
            if not form.is_valid():
                raise forms_io.form_errors(form)
            workflow_services.process_withdraw(process=process, actor=request.user, reason=form.cleaned_data["reason"])
            return detail_response(request, pk)

        with NominationFlow.lock(process.pk):
            return idempotent(request, act)


class ResubmitView(ApiViewMixin, APIView):
    """Send a returned dossier back to the stage that returned it: its submitter's supplement step."""

    @extend_schema(
        request={"application/json": forms_io.form_schema(workflow_forms.SupplementForm)},
        parameters=[IDEMPOTENCY_KEY],
        responses=serializers.DossierDetailSerializer,
    )
    def post(self, request, pk):
        dossier = nomination_selectors.dossier_get_visible(user=request.user, pk=pk)
        process = process_of(dossier)

        def act():
            task = workflow_selectors.supplement_task_of(user=request.user, dossier_id=dossier.pk)
            if task is None:
                raise Conflict(NOTHING_TO_RESUBMIT)
            return run_step(request, task, lambda: detail_response(request, pk))

        with NominationFlow.lock(process.pk):
            return idempotent(request, act)
