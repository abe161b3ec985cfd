"""Read queries of the web shell."""

from django.db.models import QuerySet

from org_hierarchy.models import Membership
from org_hierarchy.selectors import seats_of


def profile_memberships(*, user) -> QuerySet[Membership]:
    """Return the person's memberships in force today, with their units and delegators, in tree order."""
    membership_ids = [seat.membership_id for seat in seats_of(user)]
    return (
        Membership.objects.filter(pk__in=membership_ids)
        .select_related("unit", "acting_for")
        .order_by("unit__path", "role")
    )
