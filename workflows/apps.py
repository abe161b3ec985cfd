from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from notifications import kinds

from .events import TaskNotice


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self):
        from audit.timeline import register_source
        from nominations.models import Dossier

        from .timeline import dossier_steps

        kinds.register(TaskNotice)
        register_source(Dossier, dossier_steps)
