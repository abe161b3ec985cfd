"""The API's resources: thin views over the same selectors and services as the pages."""

from django.db.models import Prefetch, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from nominations import selectors as nomination_selectors
from nominations.models import CampaignSubjectGroup
from org_hierarchy.models import OrgUnit
from org_hierarchy.selectors import seats_of, units_in_scope
from workflows.selectors import unit_matches

from . import serializers
from .base import ApiViewMixin


class ListView(ApiViewMixin, generics.ListAPIView):
    pass


class DetailView(ApiViewMixin, generics.RetrieveAPIView):
    pass


def _with_parents(units) -> dict:
    """The context a unit list needs to name each unit's parent by id: one query for the whole page."""
    paths = {unit.path[: -unit.steplen] for unit in units if unit.depth > 1}
    return {"parents": dict(OrgUnit.objects.filter(path__in=paths).values_list("path", "pk"))}


class UnitListView(ApiViewMixin, generics.GenericAPIView):
    """Units of the caller's scope: ``search`` by name (with or without diacritics) or code, at most 20; without
    it, the units where the caller holds a role."""

    serializer_class = serializers.UnitSerializer
    pagination_class = None  # a short list, never paged: the schema must not promise a page

    @extend_schema(
        parameters=[OpenApiParameter("search", OpenApiTypes.STR, description="Name, abbreviation or code")],
        responses=serializers.UnitSerializer(many=True),
    )
    def get(self, request):
        units = list(self.get_queryset())
        return Response(
            self.get_serializer(units, many=True, context=self.get_serializer_context() | _with_parents(units)).data
        )

    def get_queryset(self):
        scope = units_in_scope(user=self.request.user)
        term = self.request.query_params.get("search", "")
        if term.strip():
            return unit_matches(scope, term=term)
        return scope.filter(pk__in=[seat.unit_id for seat in seats_of(self.request.user)]).order_by("path")


class UnitDetailView(DetailView):
    """One unit of the caller's scope."""

    serializer_class = serializers.UnitSerializer

    def get_queryset(self):
        return units_in_scope(user=self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if "pk" in self.kwargs:
            unit = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
            if unit is not None:
                context |= _with_parents([unit])
        return context


class UnitChildrenView(ListView):
    """The tree one level at a time: the children of a unit of the caller's scope."""

    serializer_class = serializers.UnitSerializer

    def get_queryset(self):
        parent = generics.get_object_or_404(units_in_scope(user=self.request.user), pk=self.kwargs["pk"])
        self.parent_unit = parent
        return (
            units_in_scope(user=self.request.user)
            .filter(Q(path__startswith=parent.path), depth=parent.depth + 1)
            .order_by("path")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        parent = getattr(self, "parent_unit", None)
        return context | {"parents": {parent.path: parent.pk} if parent else {}}


class AwardTypeListView(ListView):
    """The award types in use (Bằng khen, Giấy khen, emulation titles), highest deciding level first."""

    serializer_class = serializers.AwardTypeSerializer

    def get_queryset(self):
        return nomination_selectors.award_types_active()


class AwardTypeDetailView(DetailView):
    """One award type in use."""

    serializer_class = serializers.AwardTypeSerializer

    def get_queryset(self):
        return nomination_selectors.award_types_active()


def campaigns_with_groups():
    groups = CampaignSubjectGroup.objects.order_by("position", "pk")
    return nomination_selectors.campaign_list().prefetch_related(Prefetch("subject_groups", queryset=groups))


class CampaignListView(ListView):
    """Emulation campaigns (phong trào thi đua), newest first, with their subject groups."""

    serializer_class = serializers.CampaignSerializer

    def get_queryset(self):
        return campaigns_with_groups()


class CampaignDetailView(DetailView):
    """One campaign, with its subject groups."""

    serializer_class = serializers.CampaignSerializer

    def get_queryset(self):
        return campaigns_with_groups()


class NotFoundView(ApiViewMixin, APIView):
    """Any other address under ``/api/v1/``: a problem, not the HTML page."""

    permission_classes = [AllowAny]
    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound()
