"""State changes of the organisation: every write to units, memberships and users goes through these functions.

``memberships`` grants, ends and revokes roles and keeps guardian's object permissions in step; ``tree`` adds
units and imports the official divisions; ``users`` onboards users and memberships from a file;
``logins`` lifts sign-in lockouts.
"""

from .logins import login_unlock, two_factor_reset_for
from .memberships import (
    GROUP_PREFIX,
    delegation_check,
    membership_end,
    membership_grant,
    membership_revoke,
    memberships_sync_due,
    role_group,
    role_group_name,
    user_groups_sync,
)
from .tree import BranchImportReport, divisions_import, orgunit_create
from .users import (
    UNKNOWN_LANGUAGE,
    USER_NOTES,
    RowError,
    UsersImportReport,
    invitation_accept,
    user_language_set,
    users_import,
    users_invite,
    users_template_columns,
)

__all__ = [
    "GROUP_PREFIX",
    "UNKNOWN_LANGUAGE",
    "USER_NOTES",
    "BranchImportReport",
    "RowError",
    "UsersImportReport",
    "delegation_check",
    "divisions_import",
    "invitation_accept",
    "login_unlock",
    "membership_end",
    "membership_grant",
    "membership_revoke",
    "memberships_sync_due",
    "orgunit_create",
    "role_group",
    "role_group_name",
    "two_factor_reset_for",
    "user_groups_sync",
    "user_language_set",
    "users_import",
    "users_invite",
    "users_template_columns",
]
