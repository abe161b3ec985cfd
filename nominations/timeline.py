"""The dossier's part of the audit timeline: field changes of the dossier, its nominees, files and decision.

Registered in ``NominationsConfig.ready``. Each model's history is read in one query by dossier id (so nominees
and files removed since still appear) and compared in memory by ``audit.history``.
"""

from audit.history import steps_from_records
from audit.timeline import entries_from_history

from .models import Attachment, Decision, Dossier, Nominee
from .selectors import dossier_get_visible

# Bookkeeping timestamps say nothing an entry's own time does not; a nominee's citizen ID number is personal
# data, shown in full only through the logged reveal (``nominee_national_id_reveal``), never in a diff.
EXCLUDED_FIELDS = {
    Dossier: ["updated_at"],
    Nominee: ["national_id"],
    Attachment: [],
    Decision: [],
}
DESCRIBE = {
    Dossier: lambda record: record.title,
    Nominee: lambda record: record.full_name,
    Attachment: lambda record: record.original_name,
    Decision: lambda record: f"{record.number:02d}/{record.symbol}",
}


def resolve(*, user, pk) -> Dossier:
    """The dossier, if the user's scope covers it (auditors: their subtree); 404 otherwise."""
    return dossier_get_visible(user=user, pk=pk)


def dossier_changes(dossier: Dossier):
    """Field changes of the dossier and of what belongs to it, one query per model."""
    entries = []
    for model, excluded in EXCLUDED_FIELDS.items():
        lookup = {"id": dossier.pk} if model is Dossier else {"dossier_id": dossier.pk}
        records = model.history.filter(**lookup).select_related("history_user")
        steps = steps_from_records(records, excluded_fields=excluded)
        entries.extend(entries_from_history(steps, describe=DESCRIBE[model]))
    return entries
