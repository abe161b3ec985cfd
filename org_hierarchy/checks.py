"""Start-up checks of what the organisation's permissions rely on."""

from django.conf import settings
from django.core import checks

from .models import OrgUnit, Role
from .roles import ROLE_PERMISSIONS

GUARDIAN_BACKEND = "guardian.backends.ObjectPermissionBackend"


def check_guardian_backend(app_configs=None, **kwargs):
    """Role permissions are guardian object permissions: without its backend nobody could act on any task."""
    if GUARDIAN_BACKEND in settings.AUTHENTICATION_BACKENDS:
        return []
    return [
        checks.Error(
            f"{GUARDIAN_BACKEND} is missing from AUTHENTICATION_BACKENDS.",
            hint="Add it after django.contrib.auth.backends.ModelBackend.",
            id="org_hierarchy.E001",
        )
    ]


def check_role_permissions(app_configs=None, **kwargs):
    """Every role must map to a permission declared on OrgUnit (guardian refuses another model's permission)."""
    declared = {codename for codename, _label in OrgUnit._meta.permissions}
    return [
        checks.Error(
            f"Role {role!r} has no object permission declared in OrgUnit.Meta.permissions.",
            hint="Map it in org_hierarchy.roles.ROLE_PERMISSIONS to a codename declared on OrgUnit.",
            id="org_hierarchy.E002",
        )
        for role in Role
        if ROLE_PERMISSIONS.get(role) not in declared
    ]
