"""Flow nodes the nomination flow needs beyond viewflow's own.

- ``StageTask``: a human task offered to one role at one unit (the stage unit of the dossier's route), with the
  separation-of-duties and membership-in-force checks viewflow does not know about, and an execute URL that
  takes the task, refuses cleanly when someone else was faster and never turns a lock timeout into a 500.
- ``ConsultationTask``: the same, but the unit is the consulted unit carried in the task's data.
- ``SubmitterTask``: a task assigned to the submitter (supplementing a returned dossier), with the same URL.
- ``Switch``: viewflow's exclusive gateway, its task written once instead of inserted then updated.
- ``Outcome``: an act the flow does by itself after a gateway (issue the decision, reject, return for
  supplement): it calls its one service inside the step and writes its task once, already done.
- ``End``: viewflow's end, the process finished and its task written once.
- ``PostingTimer``: the public posting before the deciding level's council, a timer fired by ``dispatch_timers``.
- ``ForEachSplit``: a parallel split with one branch per item computed at run time (viewflow's open-source
  edition has no ``Split(data_source=...)``).
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from viewflow import this
from viewflow.workflow import Activation, Node, Token, flow
from viewflow.workflow.exceptions import FlowLockFailed, FlowRuntimeError
from viewflow.workflow.flow import views as flow_views
from viewflow.workflow.nodes import end, mixins, switch
from viewflow.workflow.nodes.timer import Timer, TimerActivation
from viewflow.workflow.signals import flow_finished, task_finished, task_started
from viewflow.workflow.status import PROCESS, STATUS

from nominations import permissions as nomination_permissions
from org_hierarchy.models import OrgUnit
from org_hierarchy.roles import ROLE_PERMISSIONS, permission_for
from org_hierarchy.selectors import holds_role

from . import calendar, services
from .views import TASK_BUSY, TASK_DONE, TASK_TAKEN, TaskIndexView, task_unavailable

ROLE_BY_PERMISSION = {permission_for(role): role for role in ROLE_PERMISSIONS}


class GuardedExecuteMixin:
    """An execute URL that takes a free task, then runs the task view, under the flow lock.

    Whoever may not act gets 403; if someone else was faster (the task is done or taken), or the dossier stays
    locked by someone else's step, the user gets a translated 409 page instead of viewflow's 403 or a 500.
    """

    @property
    def view_path(self):
        return path(
            f"<int:process_pk>/{self.name}/<int:task_pk>/execute/",
            self._execute_view(),
            name="execute",
        )

    def _execute_view(self):
        node = self

        def view(request, process_pk, task_pk, **kwargs):
            try:
                if request.method == "POST":
                    # The lock's own transaction is the step's: a refused step rolls it back whole.
                    with node.flow_class.lock(process_pk):
                        return node._run(request, process_pk, task_pk, **kwargs)
                return node._run(request, process_pk, task_pk, **kwargs)
            except FlowLockFailed:
                return task_unavailable(request, TASK_BUSY)

        return view

    def _run(self, request, process_pk, task_pk, **kwargs):
        """Take the task if it is free, then hand over to the task view; refuse cleanly if someone was faster."""
        task = get_object_or_404(
            self.flow_class.task_class.objects.select_related("process", "owner"),
            pk=task_pk,
            process_id=process_pk,
            flow_task=self,
        )
        try:
            self.begin(request, task)
        except StepUnavailable as refusal:
            return task_unavailable(request, refusal.message, task=task)
        return self.view(request, process_pk=process_pk, task_pk=task_pk, **kwargs)

    def begin(self, request, task):
        """Check that the user may act on ``task`` now and set ``request.activation``; on a POST take the task.

        Raise ``PermissionDenied`` for whoever may never act on it, ``StepUnavailable`` when the step is done or
        someone else holds it. The task pages and the API's act on a step both start here (the POST under the
        flow lock).
        """
        user = request.user
        if not self.may_act(user, task):
            raise PermissionDenied
        if task.status in (STATUS.DONE, STATUS.CANCELED):
            raise StepUnavailable(TASK_DONE)
        if task.owner_id is not None and task.owner_id != user.pk:
            raise StepUnavailable(TASK_TAKEN)
        activation = self.activation_class(task)
        request.activation = activation
        if request.method == "POST":
            if task.status == STATUS.NEW:
                # Taken and done in one transaction under the flow lock (or not at all): assign in memory and let
                # execute() write the row, and its one history row, once.
                task.owner = user
                task.status = STATUS.ASSIGNED
            activation.start(request)
        return activation


class StepUnavailable(Exception):
    """The step is done or held by someone else: a 409 with ``message`` (``{name}``: who holds it)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class StageTask(GuardedExecuteMixin, flow.View):
    """A human task for the holders of one role at one unit.

    viewflow offers the task to whoever holds the guardian object permission on the unit (that is what its queue
    reads). Acting on it additionally requires, checked on every assign and execute:

    - a membership in force today for that role at that unit (group synchronisation by date is periodic, so an
      expired membership may still sit in the group for a while);
    - not being the dossier's submitter nor a nominee of it (separation of duties, architecture §4).

    With ``deadline=True`` the task carries the stage deadline: a reminder, then an escalation to the head, sent
    by ``dispatch_timers`` while the task stays open. Usage::

        commune_sign = (
            StageTask(views.SignView.as_view(), level=Level.COMMUNE, deadline=True)
            .Permission(permission_for(Role.APPROVER), obj=stages.stage_unit(Level.COMMUNE))
            .Next(this.commune_signed)
        )
    """

    index_view_class = TaskIndexView

    def __init__(self, view, *, level=None, deadline=False, **kwargs):
        super().__init__(view, **kwargs)
        self.stage_level = level
        self.has_deadline = deadline

    def calc_owner_permission_obj(self, activation):
        if self.has_deadline and activation.process.stage_reminder is not None:
            # The stage deadline is data on the task, not timer rows: ``scheduled`` holds the next notice due (the
            # reminder first), set while viewflow builds the task so it rides on the task's own INSERT, and
            # ``services.deadlines_fire`` finds due steps with one indexed query.
            activation.task.scheduled = calendar.start_of_day(activation.process.stage_reminder)
        return super().calc_owner_permission_obj(activation)

    @cached_property
    def role(self) -> str:
        return ROLE_BY_PERMISSION[self._owner_permission]

    def unit_id_of(self, task) -> int | None:
        return int(task.owner_permission_obj_pk) if task.owner_permission_obj_pk else None

    def may_act(self, user, task) -> bool:
        """Tell whether ``user`` may ever act on ``task`` (role in force at the unit, not a party)."""
        if user is None or not user.is_authenticated:
            return False
        unit_id = self.unit_id_of(task)
        if unit_id is None or not holds_role(user=user, unit_id=unit_id, role=self.role):
            return False
        return not nomination_permissions.is_party_to_dossier(user=user, dossier_id=task.process.artifact_object_id)

    def can_assign(self, user, task):
        # The membership is the source of truth; the guardian grant mirrors it for viewflow's queue.
        return task.owner_id is None and self.may_act(user, task)

    def can_execute(self, user, task):
        return task.owner_id is not None and task.owner_id == user.pk and self.may_act(user, task)


class SubmitterTask(GuardedExecuteMixin, flow.View):
    """A task assigned to the dossier's submitter (``.Assign``): only that person acts on it."""

    def may_act(self, user, task) -> bool:
        return user is not None and user.is_authenticated and task.owner_id == user.pk


class ConsultationTask(StageTask):
    """A task for one consulted unit; the unit id travels in ``task.data["unit_id"]`` (see ``ForEachSplit``)."""

    def calc_owner_permission_obj(self, activation):
        return OrgUnit.objects.get(pk=activation.task.data["unit_id"])


class SwitchActivation(switch.SwitchActivation):
    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        """Build the gateway's task, choose its branch, and insert the task already done.

        viewflow inserts a gateway's task, then evaluates the conditions in a savepoint and updates the task to
        done: four statements for a row that is created and finished in the same step. The conditions here only
        read the process and the dossier, so there is nothing for a savepoint to undo, and the task can be
        written once. ``create_next`` then runs as for viewflow's own switch (the task is done).
        """
        task = _task_for(flow_task, prev_activation, token, data, seed)
        activation = cls(task)
        default = None
        for node, condition in flow_task._branches:
            if condition is None:
                default = node
            elif condition(activation):
                activation.next_task = node
                break
        else:
            activation.next_task = default
        if activation.next_task is None:
            raise FlowRuntimeError(f"No next task available for {flow_task.name}")
        _save_done(task, prev_activation)
        return activation


class Switch(flow.Switch):
    """viewflow's exclusive gateway, written in one INSERT per pass (see ``SwitchActivation.create``).

    Its conditions must only read: they run before the task row exists. Usage as ``flow.Switch``::

        commune_council = Switch().Case(this.commune_vote, act.process.needs_council_vote).Default(this.commune_sign)
    """

    activation_class = SwitchActivation


def _task_for(flow_task, prev_activation, token, data, seed):
    task = flow_task.flow_class.task_class(process=prev_activation.process, flow_task=flow_task, token=token)
    task.data = data if data is not None else {}
    task.seed = seed
    return task


def _save_done(task, prev_activation) -> None:
    """Write a task created and finished within the step that reached it: one INSERT and its link."""
    task.status = STATUS.DONE
    task.finished = timezone.now()
    task.save()
    task.previous.add(prev_activation.task)


class OutcomeActivation(mixins.NextNodeActivationMixin, Activation):
    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        """Call the node's service, then insert the task already done.

        viewflow's ``Function`` inserts its task, runs the callback in a savepoint and updates the task: five
        statements, and an error would be kept on the task instead of refusing the step. Here the service runs in
        the step's own transaction, so whatever it refuses (a decision date out of range) rolls the whole step
        back and reaches the person who acted as a form error.
        """
        task = _task_for(flow_task, prev_activation, token, data, seed)
        activation = cls(task)
        task.started = timezone.now()
        task_started.send(sender=flow_task.flow_class, process=activation.process, task=task)
        flow_task.act(activation)
        _save_done(task, prev_activation)
        task_finished.send(sender=flow_task.flow_class, process=activation.process, task=task)
        return activation


class Outcome(flow.Function):
    """An outcome of a stage, done by the flow itself after the gateway that chose it (BPMN service task).

    ``act`` is the service, called with the activation; the step that chose the outcome leaves on the process
    who chose it, where and why (``NominationProcess.stage_choice``). Usage::

        issue_decision = Outcome(services.outcome_issue_decision).Next(this.decided)
    """

    activation_class = OutcomeActivation
    bpmn_element = "serviceTask"

    def act(self, activation) -> None:
        self._func(activation=activation)


class EndActivation(end.EndActivation):
    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        """Finish the process when nothing else is open, and insert the end's task already done.

        viewflow inserts the end's task, then counts the open tasks and saves the process in a savepoint, then
        updates the task: seven statements where four do (the count is taken before the task exists).
        """
        task = _task_for(flow_task, prev_activation, token, data, seed)
        activation = cls(task)
        process = activation.process
        task.started = timezone.now()
        task_started.send(sender=flow_task.flow_class, process=process, task=task)
        finished = not flow_task.flow_class.task_class._default_manager.filter(
            process=process, finished__isnull=True
        ).exists()
        if finished:
            process.status = PROCESS.DONE
            process.finished = timezone.now()
            process.save()
        _save_done(task, prev_activation)
        task_finished.send(sender=flow_task.flow_class, process=process, task=task)
        if finished:
            flow_finished.send(sender=flow_task.flow_class, process=process, task=task)
        return activation


class End(flow.End):
    """viewflow's end of the flow, written in one INSERT (see ``EndActivation.create``)."""

    activation_class = EndActivation


class ForEachSplitActivation(Activation):
    def __init__(self, *args, **kwargs):
        self.items = []
        super().__init__(*args, **kwargs)

    @Activation.status.super()
    def activate(self):
        self.items = list(self.flow_task.items(self))

    @Activation.status.super()
    def create_next(self):
        # Each branch gets its own split token so the following Join waits for all of them.
        tokens = Token.split_token_source(self.task.token, self.task.pk)
        for item in self.items:
            yield self.flow_task._next._create(prev_activation=self, token=next(tokens), data=item)


class ForEachSplit(flow.NodeDetailMixin, mixins.NextNodeMixin, Node):
    """Parallel split with one branch per item; each item (a dict) becomes the data of its task.

    Follow it with a ``flow.Join()`` to wait for every branch. Usage::

        commune_consult = ForEachSplit(this.consulted_units).Next(this.commune_consultation)
        commune_consultation = ConsultationTask(views.ConsultView.as_view()).Permission(p).Next(this.commune_consulted)
        commune_consulted = flow.Join().Next(this.commune_council)

        def consulted_units(self, activation):
            return [{"unit_id": pk} for pk in activation.process.consult_unit_ids]
    """

    task_type = "PARALLEL_GATEWAY"
    activation_class = ForEachSplitActivation
    index_view_class = flow_views.IndexTaskView
    detail_view_class = flow_views.DetailTaskView
    bpmn_element = "parallelGateway"
    shape = {
        "width": 50,
        "height": 50,
        "svg": """
            <path class="gateway" d="M25,0L50,25L25,50L0,25L25,0"/>
            <text class="gateway-marker" font-size="32px" x="25" y="35">+</text>
        """,
    }

    def __init__(self, items, **kwargs):
        super().__init__(**kwargs)
        self._items = items

    def _resolve(self, instance):
        super()._resolve(instance)
        self._items = this.resolve(instance, self._items)

    def items(self, activation):
        return self._items(activation)


class PostingActivation(TimerActivation):
    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        """Open the posting and insert the timer already scheduled for the end of the posting's last day.

        viewflow's timer inserts its task, then computes the due moment in a savepoint and updates the row; here
        the moment is known before the INSERT (``services.posting_start``), so the row is written once.
        """
        task = _task_for(flow_task, prev_activation, token, data, seed)
        activation = cls(task)
        services.posting_start(activation=activation)
        task.status = STATUS.SCHEDULED
        task.save()
        task.previous.add(prev_activation.task)
        return activation

    @Activation.status.super()
    def complete(self):
        services.posting_end(activation=self)
        super().complete.original()


class PostingTimer(Timer):
    """Public posting (công khai) of the proposed nominees by the stage unit for the award type's working days.

    Reached from the stage's council gateway where ``NominationProcess.needs_public_posting`` holds; the
    dispatcher fires it when the period is over and the flow goes on to the council's vote. Usage::

        province_posting = PostingTimer(level=Level.PROVINCE).Next(this.province_vote)
    """

    activation_class = PostingActivation

    def __init__(self, *, level, **kwargs):
        # The due moment comes from the posting (``PostingActivation.create``), not from a delay.
        super().__init__(delay=None, **kwargs)
        self.stage_level = level
