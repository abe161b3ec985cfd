"""Receivers that turn other apps' signals into ledger entries (wired in ``AuditConfig.ready``)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from .events import AuditEvent
from .models import LedgerEntry
from .services import record

MEMBERSHIP_EVENTS = {
    "granted": AuditEvent.MEMBERSHIP_GRANTED,
    "delegated": AuditEvent.MEMBERSHIP_DELEGATED,
    "ended": AuditEvent.MEMBERSHIP_ENDED,
    "revoked": AuditEvent.MEMBERSHIP_REVOKED,
}


def membership_changed_record(sender, *, membership, action, actor=None, **kwargs):
    """Record a membership change in the ledger, in the transaction of the change."""
    record(
        MEMBERSHIP_EVENTS[action],
        actor=actor,
        unit=membership.unit,
        subject=membership,
        acting_for=membership.acting_for,
        # org_hierarchy passes the revocation's reason to simple-history as the change reason.
        reason=str(getattr(membership, "_change_reason", "") or "") if action == "revoked" else "",
        data={
            "user_id": membership.user_id,
            "user": membership.user.get_full_name(),
            "role": membership.role,
            "valid_from": membership.valid_from,
            "valid_to": membership.valid_to,
        },
    )


def users_imported_record(sender, *, actor, report, memberships, **kwargs):
    """Record a users file import as one entry listing every membership it granted."""
    record(
        AuditEvent.USERS_IMPORTED,
        actor=actor,
        data={
            "rows": report.rows,
            "users_created": report.users_created,
            "memberships": [
                {
                    "id": m.pk,
                    "user_id": m.user_id,
                    "unit_id": m.unit_id,
                    "role": m.role,
                    "valid_from": m.valid_from,
                    "valid_to": m.valid_to,
                }
                for m in memberships
            ],
        },
    )


def login_locked_out_record(sender, *, username, ip_address, **kwargs):
    """Record the start of a sign-in lockout (axes signals every refused attempt; the first one is recorded)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    already = LedgerEntry.objects.filter(
        event=AuditEvent.LOGIN_LOCKED_OUT,
        occurred_at__gte=since,
        data__username=username or "",
        data__ip_address=ip_address or "",
    )
    if already.exists():
        return
    record(
        AuditEvent.LOGIN_LOCKED_OUT,
        actor=None,
        subject=get_user_model().objects.filter(username=username).first() if username else None,
        data={"username": username or "", "ip_address": ip_address or ""},
    )


def login_unlocked_record(sender, *, actor, username, ip_address, **kwargs):
    """Record an administrator lifting a sign-in lockout."""
    record(
        AuditEvent.LOGIN_UNLOCKED,
        actor=actor,
        subject=get_user_model().objects.filter(username=username).first() if username else None,
        data={"username": username, "ip_address": ip_address},
    )


def two_factor_reset_record(sender, *, actor, user, devices, **kwargs):
    """Record an administrator resetting a person's second factor."""
    record(AuditEvent.TWO_FACTOR_RESET, actor=actor, subject=user, data={"username": user.username, "devices": devices})
