"""Reads of the API app, scoped like every other read: an administrator sees the accounts of their units."""

from django.db.models import QuerySet

from org_hierarchy.models import OrgUnit, Role
from org_hierarchy.selectors import units_in_scope

from .models import ApiToken, ServiceAccount


def administered_units(*, user) -> QuerySet[OrgUnit]:
    """The units (with their subtrees) where the user is an administrator; every unit for superusers."""
    if getattr(user, "is_superuser", False):
        return OrgUnit.objects.all()
    return units_in_scope(user=user, roles=[Role.ADMIN])


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
