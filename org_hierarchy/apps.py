from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgHierarchyConfig(AppConfig):
    name = "org_hierarchy"
    verbose_name = _("Organisation hierarchy")
