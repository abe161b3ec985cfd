from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")

    def ready(self):
        from . import signals

        post_save.connect(signals.revocation_saved, sender="nominations.Revocation", dispatch_uid="documents.revoked")
