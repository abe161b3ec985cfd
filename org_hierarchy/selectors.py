"""Scoped read queries over the organisation tree.

Every list of units, dossiers, tasks or history a user sees starts from ``units_in_scope``: the subtrees of the
units where the user holds an active membership. The user's active memberships are read once per request and
cached on the user object (as ``ModelBackend`` caches permissions), so scoping costs one query however large the
tree, and the subtree itself is a prefix match on the indexed materialised path, used as a subquery.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Level, Membership, OrgUnit

_SCOPE_CACHE = "_meritflow_scope_cache"


@dataclass(frozen=True)
class Seat:
    """One active membership, reduced to what scoping needs."""

    membership_id: int
    unit_id: int
    path: str
    role: str
    branch: str
    level: int
    acting_for_id: int | None


def seats_of(user) -> tuple[Seat, ...]:
    """Return the user's active memberships; read once per user object."""
    if not getattr(user, "is_authenticated", False):
        return ()
    cached = getattr(user, _SCOPE_CACHE, None)
    today = timezone.localdate()
    if cached is not None and cached[0] == today:
        return cached[1]
    rows = (
        Membership.objects.active(on=today)
        .filter(user_id=user.pk, unit__is_active=True)
        .values_list("pk", "unit_id", "unit__path", "role", "unit__branch", "unit__level", "acting_for_id")
        .order_by("unit__path", "role")
    )
    seats = tuple(Seat(*row) for row in rows)
    setattr(user, _SCOPE_CACHE, (today, seats))
    return seats


def forget_seats(user) -> None:
    """Drop the cached memberships (after a grant or revocation in the same request)."""
    if hasattr(user, _SCOPE_CACHE):
        delattr(user, _SCOPE_CACHE)


def units_in_scope(*, user, roles=None) -> QuerySet[OrgUnit]:
    """Return the units the user may see: the subtrees of the units of their active memberships.

    ``roles`` narrows the memberships considered (e.g. only AUDITOR seats). Superusers see everything.
    """
    if getattr(user, "is_superuser", False) and roles is None:
        return OrgUnit.objects.all()
    paths = {seat.path for seat in seats_of(user) if roles is None or seat.role in roles}
    # A path inside another path's subtree adds nothing to the condition.
    roots = sorted(p for p in paths if not any(p != q and p.startswith(q) for q in paths))
    return OrgUnit.objects.subtree_of(*roots)


def units_with_role(*, user, role) -> QuerySet[OrgUnit]:
    """Return the units where the user holds ``role`` in person (no subtree)."""
    unit_ids = [seat.unit_id for seat in seats_of(user) if seat.role == role]
    return OrgUnit.objects.filter(pk__in=unit_ids)


def holds_role(*, user, unit_id: int, role: str) -> bool:
    """Tell whether the user holds ``role`` at this very unit today (cached memberships, no query)."""
    return any(seat.unit_id == unit_id and seat.role == role for seat in seats_of(user))


def head_acted_for(*, user, unit_id: int, role: str):
    """Return the head ``user`` stands in for in ``role`` at the unit (a deputy's delegation), or None.

    The delegation is read from the user's cached seats: only the head is looked up.
    """
    head_id = next(
        (
            seat.acting_for_id
            for seat in seats_of(user)
            if seat.unit_id == unit_id and seat.role == role and seat.acting_for_id
        ),
        None,
    )
    return get_user_model().objects.get(pk=head_id) if head_id else None


def members_with_role(*, unit: OrgUnit, role: str) -> QuerySet:
    """Return the users holding ``role`` at ``unit`` today."""
    User = get_user_model()
    return User.objects.filter(
        is_active=True, memberships__in=Membership.objects.active().filter(unit=unit, role=role)
    ).distinct()


def lineage(unit: OrgUnit) -> list[OrgUnit]:
    """Return the unit's ancestors from the root down, then the unit itself: one query (none for a root)."""
    return [*OrgUnit.objects.get_ancestors(unit), unit] if unit.depth > 1 else [unit]


def locality_in(chain: list[OrgUnit]) -> dict[int, str]:
    """Return the administrative codes of the commune and province a lineage lies in, keyed by level.

    A commune-level or provincial unit gives its own code; an originating unit inherits the codes of its
    territorial ancestors.
    """
    return {
        node.level: node.admin_code
        for node in chain
        if node.admin_code and node.level in (Level.COMMUNE, Level.PROVINCE)
    }


def units_serving(*, branch: str, locality: dict[int, str]) -> dict[int, OrgUnit]:
    """Return the branch's active unit at each territorial level of ``locality`` (level -> code), in one query."""
    if not locality:
        return {}
    wanted = Q()
    for level, code in locality.items():
        wanted |= Q(level=level, admin_code=code)
    found: dict[int, OrgUnit] = {}
    for unit in OrgUnit.objects.filter(wanted, branch=branch, is_active=True).order_by("-path"):
        found[unit.level] = unit  # the smallest path comes last and stays, as ``order_by("path").first()`` chose
    return found


def branch_roots() -> QuerySet[OrgUnit]:
    """Return the top unit of every branch."""
    return OrgUnit.objects.get_root_nodes()
