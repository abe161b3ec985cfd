"""What each role may do, expressed as the guardian permission granted on the unit where it is held."""

from .models import Role

PERMISSION_APP = "org_hierarchy"

# The roles that act at a stage of a dossier's route: appraisal, the council's vote and the signature.
STAGE_ROLES = (Role.APPRAISER, Role.SECRETARY, Role.APPROVER)

# Role -> codename of the object permission the unit's role group holds on the unit.
ROLE_PERMISSIONS: dict[str, str] = {
    Role.SUBMITTER: "submit_dossier",
    Role.APPRAISER: "appraise_dossier",
    Role.SECRETARY: "record_council_vote",
    Role.APPROVER: "sign_dossier",
    Role.AUDITOR: "audit_unit",
    Role.ADMIN: "administer_unit",
}


def permission_for(role: str) -> str:
    """Return the full permission name (``org_hierarchy.sign_dossier``) a role grants on its unit."""
    return f"{PERMISSION_APP}.{ROLE_PERMISSIONS[role]}"
