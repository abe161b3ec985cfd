"""Notification kinds the workflow sends besides the audit events it records."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskNotice(models.TextChoices):
    TASK_WAITING = "task.waiting", _("A step is waiting for you")
    TASK_DUE_SOON = "task.due_soon", _("A step is due soon")
    TASK_OVERDUE = "task.overdue", _("A step is overdue")
    TASK_ESCALATED_ABOVE = "task.escalated_above", _("An overdue step of a unit below was escalated to you")
