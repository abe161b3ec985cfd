"""Webhook subscriptions and their deliveries through the API: read-only, for the units' administrators, over the
pages' own selectors (an id outside the units the caller administers answers 404). Changes are made on the pages
(or by the services), where the secret is shown once."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, generics, serializers

from . import selectors
from .base import ApiViewMixin
from .serializers import LabelSerializer

NOT_AN_ADMINISTRATOR = _("Only the administrators of a unit read its webhook subscriptions.")


def _label(value, label) -> dict:
    return {"code": str(value), "label": str(label)}


class SubscriptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")
    url = serializers.CharField()
    events = serializers.SerializerMethodField()
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    deactivated_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(LabelSerializer(many=True))
    def get_events(self, subscription) -> list:
        return [_label(code, label) for code, label in zip(subscription.events, subscription.event_labels, strict=True)]


class DeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    subscription = serializers.IntegerField(source="subscription_id")
    event = serializers.SerializerMethodField()
    event_id = serializers.UUIDField()
    status = serializers.SerializerMethodField()
    attempts = serializers.IntegerField()
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(LabelSerializer)
    def get_event(self, delivery) -> dict:
        return _label(delivery.event, delivery.get_event_display())

    @extend_schema_field(LabelSerializer)
    def get_status(self, delivery) -> dict:
        return _label(delivery.status, delivery.get_status_display())


class AdministratorApiMixin(ApiViewMixin):
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not selectors.is_administrator(user=request.user):
            raise exceptions.PermissionDenied(NOT_AN_ADMINISTRATOR)


class SubscriptionListView(AdministratorApiMixin, generics.ListAPIView):
    """The webhook subscriptions of the units you administer (with the units under them)."""

    serializer_class = SubscriptionSerializer

    def get_queryset(self):
        return selectors.subscriptions_of(user=self.request.user)


class SubscriptionDetailView(AdministratorApiMixin, generics.RetrieveAPIView):
    """One webhook subscription of a unit you administer."""

    serializer_class = SubscriptionSerializer

    def get_object(self):
        return selectors.subscription_get(user=self.request.user, pk=self.kwargs["pk"])


class DeliveryListView(AdministratorApiMixin, generics.ListAPIView):
    """A subscription's deliveries, newest first: status, attempts, last response code and next attempt."""

    serializer_class = DeliverySerializer

    def get_queryset(self):
        subscription = selectors.subscription_get(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.deliveries_of(subscription=subscription)
