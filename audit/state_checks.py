"""State checks the audit app registers itself: memberships must still be what the ledger says was granted."""

from django.utils.translation import gettext as _

from org_hierarchy.models import Membership


def membership_matches_grant(entries):
    """Yield the grant entries whose membership was deleted or given another user, role, unit or principal.

    A membership's holder, role, unit and principal never change after the grant (org_hierarchy only ends or
    revokes it), so any difference was written outside the application, e.g. to raise someone's rights.
    """
    ids = {int(entry.subject_id) for entry in entries if entry.subject_id.isdigit()}
    rows = Membership.objects.filter(pk__in=ids).values_list("pk", "user_id", "role", "unit_id", "acting_for_id")
    current = {row[0]: row[1:] for row in rows}
    for entry in entries:
        membership = current.get(int(entry.subject_id)) if entry.subject_id.isdigit() else None
        if membership is None:
            yield entry, _("The membership this entry granted no longer exists.")
            continue
        user_id, role, unit_id, acting_for_id = membership
        recorded = (entry.data.get("user_id"), entry.data.get("role"), entry.unit_id, entry.acting_for_id)
        if recorded != (user_id, role, unit_id, acting_for_id):
            yield entry, _("The membership no longer has the user, role, unit or principal this entry granted.")
