from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from notifications import kinds
from org_hierarchy.signals import seats_ended

from .events import TaskNotice


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self):
        from audit.labels import register_names
        from audit.timeline import register_source
        from nominations.models import Dossier

        from .timeline import dossier_steps

        kinds.register(TaskNotice)
        register_source(Dossier, dossier_steps)
        register_names("kind", calendar_day_kinds)
        register_names("task", step_names)
        seats_ended.connect(release_steps, dispatch_uid="workflows.release_steps")


def calendar_day_kinds(codes: set[str]) -> dict[str, str]:
    """A calendar entry's kind of day (``data["kind"]`` of its ledger entries) by its name."""
    from .models import CalendarDayKind

    return {code: str(label) for code, label in CalendarDayKind.choices if code in codes}


def step_names(ids: set[str]) -> dict[str, str]:
    """A ledger entry's step (``data["task"]``) by its name in the flow."""
    from viewflow.workflow.models import Task

    tasks = Task.objects.filter(pk__in=[int(value) for value in ids if value.isdigit()]).only("flow_task")
    return {str(task.pk): str(task.flow_task.task_title or task.flow_task) for task in tasks}


def release_steps(sender, *, user, actor=None, **kwargs):
    """A seat of the user ended: the steps they had taken under it go back to their unit's queue."""
    from .services import steps_release_unseated

    steps_release_unseated(user=user, actor=actor)
