"""Receivers that turn other apps' signals into ledger entries (wired in ``AuditConfig.ready``)."""

from .events import AuditEvent
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
