"""Every state change of the nominations app; views, flows and commands all call these."""

from .attachments import attachment_add, attachment_remove
from .catalogue import award_type_save, campaign_save
from .decisions import decision_issue
from .dossiers import (
    dossier_check_eligibility,
    dossier_create,
    dossier_reject,
    dossier_resubmit,
    dossier_return_for_supplement,
    dossier_submit,
    dossier_update,
    dossier_withdraw,
)
from .escalations import escalation_record
from .letters import submission_letter_register
from .nominees import (
    ImportRejected,
    RowError,
    nominee_add,
    nominee_drop,
    nominee_national_id_reveal,
    nominee_remove,
    nominee_update,
    nominees_drop,
    nominees_import_xlsx,
)
from .postings import posting_close, posting_comment_add, posting_open
from .registry import award_history_import
from .revocations import award_revoke, decision_revoke
from .tallies import dossier_tally_refresh, tallies_rebuild, tally_differences

__all__ = [
    "ImportRejected",
    "RowError",
    "attachment_add",
    "attachment_remove",
    "award_history_import",
    "award_revoke",
    "award_type_save",
    "campaign_save",
    "decision_issue",
    "decision_revoke",
    "dossier_check_eligibility",
    "dossier_create",
    "dossier_reject",
    "dossier_resubmit",
    "dossier_return_for_supplement",
    "dossier_submit",
    "dossier_tally_refresh",
    "dossier_update",
    "dossier_withdraw",
    "escalation_record",
    "nominee_add",
    "nominee_drop",
    "nominee_national_id_reveal",
    "nominee_remove",
    "nominee_update",
    "nominees_drop",
    "nominees_import_xlsx",
    "posting_close",
    "posting_comment_add",
    "posting_open",
    "submission_letter_register",
    "tallies_rebuild",
    "tally_differences",
]
