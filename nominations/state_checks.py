"""Checks ``verify_audit`` runs against the current state: what the ledger says was decided must still hold."""

from django.utils.translation import gettext as _

from .models import Nominee


def decided_outcomes_match(entries):
    """Yield the ``decision.issued`` entries whose awarded nominees were since changed or deleted.

    An awarded outcome is final: only a revocation (Law 06/2022 ch. VII) may undo it, and that records its own
    entry. Any other difference was written outside the application.
    """
    awarded_ids = {int(pk) for entry in entries for pk in entry.data.get("nominees", {})}
    current = dict(Nominee.objects.filter(pk__in=awarded_ids).values_list("pk", "outcome"))
    for entry in entries:
        for pk, outcome in entry.data.get("nominees", {}).items():
            if current.get(int(pk)) != outcome:
                yield entry, _("A nominee awarded by this decision no longer has that outcome.")
                break
