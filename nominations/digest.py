"""The version digest of a dossier: what a stage acted on, as one SHA-256.

The canonical form covers the dossier's own fields, its nominees (in list order) and the SHA-256 of each
attachment, serialised as JSON with sorted keys. Workflow outcomes (nominee outcomes, status, stage) are not
part of it: they are what happens to the content, not the content.
"""

import hashlib
import json

from .models import Dossier

DOSSIER_FIELDS = (
    "originating_unit_id",
    "title",
    "kind",
    "campaign_id",
    "award_type_id",
    "year",
    "letter_number",
    "letter_date",
    "letter_signer",
)
NOMINEE_FIELDS = (
    "id",
    "list_position",
    "subject_type",
    "full_name",
    "gender",
    "date_of_birth",
    "position",
    "workplace",
    "national_id",
    "collective_unit_id",
    "user_id",
    "achievement_summary",
    "under_discipline",
    "under_investigation",
    "blocking_note",
)
ATTACHMENT_FIELDS = ("id", "kind_id", "original_name", "sha256")


def dossier_digest(dossier: Dossier) -> str:
    """Return the SHA-256 hex digest of the dossier's canonical serialisation (two queries once it is saved)."""
    saved = dossier.pk is not None
    payload = {
        "dossier": {field: getattr(dossier, field) for field in DOSSIER_FIELDS},
        "nominees": list(dossier.nominees.order_by("list_position", "pk").values(*NOMINEE_FIELDS)) if saved else [],
        "attachments": list(dossier.attachments.order_by("pk").values(*ATTACHMENT_FIELDS)) if saved else [],
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
