from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from notifications import kinds

from .events import TaskNotice


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self):
        kinds.register(TaskNotice)
