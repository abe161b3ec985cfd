"""Reads of the API app, scoped like every other read: an administrator sees the accounts of their units."""

from django.db.models import QuerySet

from org_hierarchy.models import OrgUnit, Role
from org_hierarchy.selectors import seats_of, units_in_scope

from .models import ApiToken, ServiceAccount, WebhookDelivery, WebhookSubscription


def administered_units(*, user) -> QuerySet[OrgUnit]:
    """The units (with their subtrees) where the user is an administrator; every unit for superusers."""
    if getattr(user, "is_superuser", False):
        return OrgUnit.objects.all()
    return units_in_scope(user=user, roles=[Role.ADMIN])


def is_administrator(*, user) -> bool:
    """Tell whether the user administers any unit (cached memberships, no query): the menu's and API's check."""
    return getattr(user, "is_superuser", False) or any(seat.role == Role.ADMIN for seat in seats_of(user))


def administers(*, user, unit: OrgUnit) -> bool:
    return administered_units(user=user).filter(pk=unit.pk).exists()


def service_accounts_of(*, user) -> QuerySet[ServiceAccount]:
    return (
        ServiceAccount.objects.filter(unit__in=administered_units(user=user))
        .select_related("unit", "user")
        .order_by("unit__path", "name", "pk")
    )


def service_account_get(*, user, pk) -> ServiceAccount:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(service_accounts_of(user=user), pk=pk)


def tokens_of(*, account: ServiceAccount) -> QuerySet[ApiToken]:
    return account.tokens.select_related("created_by", "revoked_by")


def subscriptions_of(*, user) -> QuerySet[WebhookSubscription]:
    """The webhook subscriptions of the units the user administers (with their subtrees)."""
    return (
        WebhookSubscription.objects.filter(unit__in=administered_units(user=user))
        .select_related("unit")
        .order_by("unit__path", "-is_active", "name", "pk")
    )


def subscription_get(*, user, pk) -> WebhookSubscription:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(subscriptions_of(user=user), pk=pk)


def deliveries_of(*, subscription: WebhookSubscription) -> QuerySet[WebhookDelivery]:
    """A subscription's deliveries, newest first (the payload is not read: lists show the status)."""
    return subscription.deliveries.defer("payload").order_by("-created_at", "-pk")


def deliveries_for(*, user) -> QuerySet[WebhookDelivery]:
    """The deliveries of every subscription the user administers, newest first."""
    return (
        WebhookDelivery.objects.filter(subscription__in=subscriptions_of(user=user).values("pk"))
        .select_related("subscription")
        .defer("payload")
        .order_by("-created_at", "-pk")
    )


def delivery_get(*, user, pk) -> WebhookDelivery:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        WebhookDelivery.objects.filter(subscription__in=subscriptions_of(user=user).values("pk")).select_related(
            "subscription__unit"
        ),
        pk=pk,
    )


def token_for_text(text: str):
    """Return the usable token of this text, or None (unknown, malformed, expired, revoked)."""
    from .tokens import digests_match, token_prefix

    prefix = token_prefix(text)
    if prefix is None:
        return None
    token = ApiToken.objects.usable().select_related("account__user").filter(prefix=prefix).first()
    if token is None or not digests_match(text, token.digest):
        return None
    return token
