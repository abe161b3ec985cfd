from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit")

    def ready(self):
        from org_hierarchy.signals import membership_changed

        from .receivers import membership_changed_record

        membership_changed.connect(membership_changed_record, dispatch_uid="audit.membership_changed_record")
