"""Acting on a step through the API: the node's own checks, the step page's own form and service.

``run_step`` takes the step as its page does (``GuardedExecuteMixin.begin``: role in force at the unit, not a
party to the dossier, not done, not held by someone else), builds the page's form from the request's fields
(the same names as the page's: ``opinion``, ``recommend_<nominee id>``, ``act``…), and calls the service the
page's view chooses for that form. Everything runs under the flow lock, whose transaction a refusal rolls back.
"""

from django.core.exceptions import PermissionDenied
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound

from workflows import selectors as workflow_selectors
from workflows.flows import NominationFlow
from workflows.nodes import StepUnavailable

from . import forms_io
from .idempotency import idempotent
from .problems import Conflict

NOT_YOURS = _(
    "You cannot act on this step: it is offered to another role or unit, or the dossier is your own or names you."
)


def step_view(request, task):
    """The step page's view, set up for this request (its form kwargs, its service choice)."""
    view_function = task.flow_task.view
    view = view_function.view_class(**view_function.view_initkwargs)
    view.setup(request, process_pk=task.process_id, task_pk=task.pk)
    return view


def step_form(request, task, view, *, bound: bool):
    kwargs = view.get_form_kwargs()
    if bound:
        kwargs["data"], kwargs["files"] = forms_io.form_data(request)
    else:
        kwargs.pop("data", None)
        kwargs.pop("files", None)
    return view.get_form_class()(**kwargs)


def visible_task(request, task_pk):
    """The human step of a nomination process the caller may see; 404 otherwise."""
    task = (
        NominationFlow.task_class.objects.filter(pk=task_pk, flow_task_type="HUMAN")
        .select_related("process", "owner")
        .first()
    )
    if task is None or not workflow_selectors.process_is_visible(user=request.user, process_id=task.process_id):
        raise NotFound()
    return task


def run_step(request, task, respond):
    """Take and do ``task`` with the request's fields (under the caller's flow lock); return ``respond()``."""
    node = task.flow_task
    if not node.may_act(request.user, task):
        raise PermissionDenied(NOT_YOURS)
    try:
        activation = node.begin(request, task)
    except StepUnavailable as refusal:
        name = task.owner.get_full_name() if task.owner_id else ""
        raise Conflict(format_lazy(refusal.message, name=name)) from refusal
    view = step_view(request, task)
    form = step_form(request, task, view, bound=True)
    if not form.is_valid():
        raise forms_io.form_errors(form)
    view.service_for(form)(activation=activation, actor=request.user, **form.service_kwargs())
    return respond()


def act_on_step(request, task_pk, *, respond):
    """Lock the step's process, then replay an answered ``Idempotency-Key`` or run the step."""
    task = visible_task(request, task_pk)
    with NominationFlow.lock(task.process_id):
        task = visible_task(request, task_pk)
        return idempotent(request, lambda: run_step(request, task, respond))
