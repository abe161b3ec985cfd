from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class OrgHierarchyConfig(AppConfig):
    name = "org_hierarchy"
    verbose_name = _("Organisation hierarchy")

    def ready(self):
        from .checks import check_guardian_backend, check_role_permissions

        checks.register(check_guardian_backend, checks.Tags.security)
        checks.register(check_role_permissions, checks.Tags.models)
