"""What the audit needs to know about dossiers: their part of the timeline, and what their entries are searched by.

Registered in ``NominationsConfig.ready``. Timeline: field changes of the dossier, its nominees, files and decision;
each model's history is read in one query by dossier id (so nominees and files removed since still appear) and
compared in memory by ``audit.history``. Search: the award type and campaign of each dossier entry
(``audit.facets``), and the choices the auditor's search offers.
"""

from django.utils.translation import gettext_lazy as _

from audit import facets
from audit.history import steps_from_records
from audit.timeline import entries_from_history

from .models import (
    Attachment,
    AwardType,
    Campaign,
    Decision,
    DocumentKind,
    Dossier,
    Nominee,
    NomineeOutcome,
    SubjectType,
    SubmissionLetter,
)
from .selectors import dossier_get_visible

# Bookkeeping timestamps say nothing an entry's own time does not; a nominee's citizen ID number is personal
# data, shown in full only through the logged reveal (``nominee_national_id_reveal``), never in a diff.
# The digest of each version is shown on the acts made on it, shortened; its change adds nothing to the version's.
EXCLUDED_FIELDS = {
    Dossier: ["updated_at", "version_digest"],
    Nominee: ["national_id"],
    Attachment: [],
    Decision: [],
}
# The reasons the services give django-simple-history (``save_tracked(..., reason=...)``), in people's words.
REASONS = {
    "added": _("added"),
    "attachment added": _("file added"),
    "attachment removed": _("file removed"),
    "awarded": _("awarded"),
    "changed": _("changed"),
    "created": _("created"),
    "decided": _("decided"),
    "decision issued": _("decision issued"),
    "dropped": _("dropped"),
    "imported": _("imported"),
    "issued": _("issued"),
    "nominee added": _("nominee added"),
    "nominee removed": _("nominee removed"),
    "nominee updated": _("nominee changed"),
    "nominees imported": _("nominees imported"),
    "rejected": _("rejected"),
    "removed": _("removed"),
    "resubmitted": _("resubmitted"),
    "returned": _("returned for supplement"),
    "stage changed": _("moved to the next level"),
    "submitted": _("submitted"),
    "updated": _("changed"),
    "withdrawn": _("withdrawn"),
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
        entries.extend(entries_from_history(steps, describe=DESCRIBE[model], reasons=REASONS))
    return entries


def dossier_facets(dossier: Dossier) -> dict[str, str]:
    """The award type and campaign a dossier's ledger entries are searched by (ids, read without a query)."""
    return {
        facets.AWARD_TYPE: str(dossier.award_type_id or ""),
        facets.CAMPAIGN: str(dossier.campaign_id or ""),
    }


def award_type_choices():
    return [(award.pk, str(award)) for award in AwardType.objects.order_by("-deciding_level", "code")]


def document_kind_names(codes: set[str]) -> dict[str, str]:
    """A ledger entry's document kinds (``data["kind"]``) by their names."""
    return {kind.code: kind.name for kind in DocumentKind.objects.filter(code__in=codes)}


def _pks(values: set[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


def _names_kept(model, values: set[str], field: str) -> dict[str, str]:
    """The rows' ``field`` by id; a row removed since (a nominee, a file) by its last historical record."""
    pks = _pks(values)
    names = {str(pk): name for pk, name in model.objects.filter(pk__in=pks).values_list("pk", field)}
    gone = [pk for pk in pks if str(pk) not in names]
    if gone:
        rows = model.history.filter(id__in=gone).order_by("history_id").values_list("id", field)
        names.update({str(pk): name for pk, name in rows})
    return names


def nominee_names(ids: set[str]) -> dict[str, str]:
    """A ledger entry's nominees (``data["nominee"]``, ``data["posted"]``, the keys of ``data["ballots"]``…)."""
    return _names_kept(Nominee, ids, "full_name")


def attachment_names(ids: set[str]) -> dict[str, str]:
    """A ledger entry's files (``data["attachment"]``) by the names they were uploaded under."""
    return _names_kept(Attachment, ids, "original_name")


def decision_names(ids: set[str]) -> dict[str, str]:
    """A ledger entry's decision (``data["decision"]``) by its number and symbol."""
    return {str(decision.pk): decision.number_display for decision in Decision.objects.filter(pk__in=_pks(ids))}


def letter_names(ids: set[str]) -> dict[str, str]:
    """A ledger entry's submission letter (``data["letter"]``) by its number and symbol."""
    return {str(letter.pk): letter.number_display for letter in SubmissionLetter.objects.filter(pk__in=_pks(ids))}


def subject_type_names(codes: set[str]) -> dict[str, str]:
    """What a decision certifies of each awardee: its kind (``data["awardees"][…]["kind"]``) by its name."""
    return {code: str(label) for code, label in SubjectType.choices if code in codes}


def award_type_names(ids: set[str]) -> dict[str, str]:
    """A ledger entry's award types (``data["award"]``, an id) by their names."""
    return {str(award.pk): str(award) for award in AwardType.objects.filter(pk__in=_pks(ids))}


def campaign_choices():
    return [(campaign.pk, str(campaign)) for campaign in Campaign.objects.order_by("-pk")]


def outcome_choices():
    return [(value, label) for value, label in NomineeOutcome.choices if value != NomineeOutcome.PENDING]
