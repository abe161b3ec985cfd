"""Memberships, delegations and the guardian grants that follow them.

Each role at each unit has one group (``unit-<pk>-<role>``) holding that role's object permission on the unit:
a few rows per unit, never per dossier. A user is in the group exactly while one of their memberships for that
unit and role is in force. Services re-synchronise a user's groups on every change, and
``memberships_sync_due`` (run by the timer dispatcher) catches memberships that start or expire by date.
"""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from .. import selectors
from ..models import Membership, OrgUnit
from ..roles import permission_for
from ..signals import membership_changed, seats_ended

GROUP_PREFIX = "unit-"


def role_group_name(*, unit_id: int, role: str) -> str:
    return f"{GROUP_PREFIX}{unit_id}-{role}"


def role_group(*, unit: OrgUnit, role: str) -> Group:
    """Return the unit's group for ``role``, creating it with its object permission the first time."""
    group, created = Group.objects.get_or_create(name=role_group_name(unit_id=unit.pk, role=role))
    if created:
        assign_perm(permission_for(role), group, unit)
    return group


def user_groups_sync(*, user) -> None:
    """Make the user's unit role groups match their memberships in force today."""
    wanted = {
        role_group(unit=m.unit, role=m.role)
        for m in Membership.objects.active().filter(user=user, unit__is_active=True).select_related("unit")
    }
    current = set(user.groups.filter(name__startswith=GROUP_PREFIX))
    if stale := current - wanted:
        user.groups.remove(*stale)
    if missing := wanted - current:
        user.groups.add(*missing)
    selectors.forget_seats(user)
    # ModelBackend and guardian cache permissions on the user object.
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache", "_viewflow_per_object_perm_cache"):
        if hasattr(user, attr):
            delattr(user, attr)


def _save_with_reason(instance, *, actor, reason: str) -> None:
    instance.full_clean()
    instance._change_reason = reason
    if actor is not None:
        instance._history_user = actor
    instance.save()


def delegation_check(*, user, acting_for, valid_to: datetime.date | None) -> None:
    """Raise ``ValidationError`` unless a delegation (``acting_for`` set) names someone else and has an end date."""
    if acting_for is None:
        return
    if acting_for == user:
        raise ValidationError(_("A person cannot act for themselves."), code="self_delegation")
    if valid_to is None:
        raise ValidationError(_("A delegation needs an end date."), code="open_delegation")


@transaction.atomic
def membership_grant(
    *,
    user,
    unit: OrgUnit,
    role: str,
    actor=None,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    acting_for=None,
    note: str = "",
) -> Membership:
    """Give ``user`` a role at ``unit`` for a period; with ``acting_for`` it is a delegation from that head."""
    delegation_check(user=user, acting_for=acting_for, valid_to=valid_to)
    membership = Membership(
        user=user,
        unit=unit,
        role=role,
        valid_from=valid_from or timezone.localdate(),
        valid_to=valid_to,
        acting_for=acting_for,
        note=note,
    )
    _save_with_reason(membership, actor=actor, reason="delegated" if acting_for else "granted")
    user_groups_sync(user=user)
    membership_changed.send(
        sender=Membership, membership=membership, action="delegated" if acting_for else "granted", actor=actor
    )
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, actor=None, on: datetime.date | None = None) -> Membership:
    """End a membership at the close of ``on`` (yesterday by default, so it grants nothing from now).

    ``on`` may be any date, earlier or later than the present end: an administrator moves the end of a seat (or of a
    delegation) this way, and the history keeps each end date it had.
    """
    end = on or timezone.localdate() - datetime.timedelta(days=1)
    if end < membership.valid_from:
        # A membership ended before it began never applied: withdraw it, keeping the record valid.
        return membership_revoke(membership=membership, actor=actor, reason=_("Ended before it started."))
    membership.valid_to = end
    _save_with_reason(membership, actor=actor, reason="ended")
    user_groups_sync(user=membership.user)
    membership_changed.send(sender=Membership, membership=membership, action="ended", actor=actor)
    seats_ended.send(sender=Membership, user=membership.user, actor=actor)
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, actor=None, reason: str = "") -> Membership:
    """Withdraw a membership at once; it stays on record with who revoked it and why."""
    if membership.revoked_at is not None:
        return membership
    membership.revoked_at = timezone.now()
    membership.revoked_by = actor
    if reason:
        membership.note = f"{membership.note}\n{reason}".strip()
    _save_with_reason(membership, actor=actor, reason=reason or "revoked")
    user_groups_sync(user=membership.user)
    membership_changed.send(sender=Membership, membership=membership, action="revoked", actor=actor)
    seats_ended.send(sender=Membership, user=membership.user, actor=actor)
    return membership


def memberships_sync_due(*, on: datetime.date | None = None) -> int:
    """Re-synchronise the groups of users whose memberships started or expired recently; return how many.

    Run by the timer dispatcher. Access checks read memberships by date anyway, so this only keeps the
    guardian tables (and so viewflow's queue) in step with the calendar.
    """
    on = on or timezone.localdate()
    window = on - datetime.timedelta(days=2)
    user_ids = set(
        Membership.objects.filter(valid_from__gt=window, valid_from__lte=on).values_list("user_id", flat=True)
    ) | set(Membership.objects.filter(valid_to__gte=window, valid_to__lt=on).values_list("user_id", flat=True))
    for user in get_user_model().objects.filter(pk__in=user_ids):
        with transaction.atomic():
            user_groups_sync(user=user)
            seats_ended.send(sender=Membership, user=user, actor=None)
    return len(user_ids)
