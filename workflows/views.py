"""Task pages and lists of the approval flow: validate the input, call one service, redirect.

The task views run inside the flow lock's transaction opened by ``nodes.StageTask`` (POST only). A service that
refuses (``ValidationError``) or a form with errors rolls the whole request back, so a failed attempt does not
even leave the task taken.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views import generic
from viewflow.workflow.exceptions import FlowLockFailed

from nominations.models import DossierStatus, NomineeOutcome
from nominations.selectors import dossier_get_visible, dossier_list_visible_to, posting_of
from org_hierarchy.models import Role
from org_hierarchy.selectors import units_with_role
from web.views import add_service_errors, filters_left_out

from . import deadlines, forms, journey, selectors, services

# The flow's start node, as mounted by ``viewsets.NominationAppViewset``.
SUBMIT_URL_NAME = "nomination:submit:execute"

TASK_BUSY = _("Someone else is working on this dossier right now. Please try again in a moment.")
TASK_DONE = _("This step has already been completed.")
TASK_TAKEN = _("{name} has already taken this step.")
SUBMITTED = _("The dossier was submitted.")
DONE = _("Done.")
WITHDRAWN = _("The dossier was withdrawn.")
NOTHING_TO_RESUBMIT = _("This dossier is not waiting for you to send it back.")


def task_unavailable(request, message, *, task=None):
    """Tell the user, with a 409, that the step is no longer theirs to do."""
    if task is not None and task.owner_id:
        message = message.format(name=task.owner.get_full_name())
    return render(request, "workflows/task_unavailable.html", {"message": message, "task": task}, status=409)


class SubmitView(LoginRequiredMixin, generic.FormView):
    """Start the flow: submit one of the user's drafts."""

    form_class = forms.SubmitForm
    template_name = "workflows/submit.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["dossiers"] = dossier_list_visible_to(user=self.request.user).filter(
            status=DossierStatus.DRAFT,
            originating_unit__in=units_with_role(user=self.request.user, role=Role.SUBMITTER),
        )
        return kwargs

    def get_initial(self):
        return {"dossier": self.request.GET.get("dossier")}

    def form_valid(self, form):
        try:
            process = services.process_start(
                activation=self.request.activation, dossier=form.cleaned_data["dossier"], actor=self.request.user
            )
        except ValidationError as error:
            transaction.set_rollback(True)
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, SUBMITTED)
        return redirect("workflows:process", process_pk=process.pk)


class ResubmitView(LoginRequiredMixin, generic.RedirectView):
    """The dossier page's "Send back": straight to the submitter's open supplement step of that dossier."""

    def get_redirect_url(self, *args, **kwargs):
        dossier = dossier_get_visible(user=self.request.user, pk=kwargs["dossier_pk"])
        task = selectors.supplement_task_of(user=self.request.user, dossier_id=dossier.pk)
        if task is None:
            raise Http404(NOTHING_TO_RESUBMIT)
        return selectors.node_url(task.flow_task, "execute", task.process_id, task.pk)


class TaskIndexView(generic.RedirectView):
    """Open a step: straight to its form for whoever may do it, to its details for the others who may see it."""

    def get_redirect_url(self, *args, **kwargs):
        activation = self.request.activation
        task, node = activation.task, activation.flow_task
        if node.can_execute(self.request.user, task) or node.can_assign(self.request.user, task):
            return selectors.node_url(node, "execute", task.process_id, task.pk)
        return reverse("workflows:process", kwargs={"process_pk": task.process_id})


class TaskView(generic.FormView):
    """Base of the task pages: the dossier as it stands, the earlier steps, the deadline and the step's form."""

    template_name = "workflows/task.html"
    service = None

    @property
    def activation(self):
        return self.request.activation

    @property
    def dossier(self):
        return self.activation.process.dossier

    def nominees(self):
        return self.dossier.nominees.filter(outcome=NomineeOutcome.PENDING).order_by("list_position", "pk")

    def get_context_data(self, **kwargs):
        process = self.activation.process
        dossier = self.dossier
        deadline = process.stage_deadline
        return super().get_context_data(
            activation=self.activation,
            task=self.activation.task,
            process=process,
            dossier=dossier,
            nominees=dossier.nominees.select_related("outcome_stage_unit").order_by("list_position", "pk"),
            attachments=dossier.attachments.select_related("kind"),
            route=dossier.route_stops.select_related("unit").order_by("position"),
            # Read when the page is rendered: after a refused POST, once the rolled-back transaction is over.
            earlier_steps=SimpleLazyObject(lambda: journey.step_history(process=process)),
            deadline=deadline,
            deadline_rule=SimpleLazyObject(
                lambda: deadlines.deadline_rule(
                    process=process, level=getattr(self.activation.flow_task, "stage_level", None)
                )
            ),
            deadline_notices=deadlines.deadline_timers_fired(task=self.activation.task),
            sla=deadline_sla(deadline),
            **kwargs,
        )

    def service_for(self, form):
        """Return the service the valid form's act calls (a step with one act has one service)."""
        return type(self).service

    def form_valid(self, form):
        try:
            self.service_for(form)(activation=self.activation, actor=self.request.user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, DONE)
        return HttpResponseRedirect(reverse("workflows:process", kwargs={"process_pk": self.activation.process.pk}))

    def form_invalid(self, form):
        if self.request.method == "POST":
            transaction.set_rollback(True)
        return super().form_invalid(form)


class AppraiseView(TaskView):
    """The appraisal: each of its buttons calls its own service."""

    form_class = forms.AppraiseForm
    template_name = "workflows/appraise.html"
    services_by_act = {
        forms.AppraiseForm.TO_COUNCIL: services.stage_appraise_to_council,
        forms.AppraiseForm.RETURN: services.stage_appraise_return,
        forms.AppraiseForm.CONSULT: services.stage_appraise_consult,
    }

    def service_for(self, form):
        return self.services_by_act[form.cleaned_data["act"]]

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "nominees": self.nominees(),
            "consult_candidates": selectors.consultation_candidates(process=self.activation.process),
            "process": self.activation.process,
        }


class ConsultView(TaskView):
    form_class = forms.ConsultForm
    service = services.consultation_answer


class VoteView(TaskView):
    """The council's vote; the minutes uploaded with a refused attempt are kept for the next one."""

    form_class = forms.VoteForm
    service = services.council_vote_record
    template_name = "workflows/vote.html"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "nominees": self.nominees(),
            "upload_owner": f"vote:{self.request.user.pk}:{self.activation.task.pk}",
            "award_type": self.dossier.award_type,
        }

    def get_context_data(self, **kwargs):
        # The council votes after the public posting, with the comments it received (read when the page is
        # rendered, like the earlier steps: after a refused POST, once the rolled-back transaction is over).
        dossier = self.dossier
        return super().get_context_data(posting=SimpleLazyObject(lambda: posting_of(dossier=dossier)), **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        if response.status_code == 302:
            form.discard_kept_uploads()
        return response

    def form_invalid(self, form):
        form.keep_refused_uploads()
        return super().form_invalid(form)


class SignView(TaskView):
    """The head's page: a summary of what is signed (who, what award, each nominee so far, the council's vote)."""

    form_class = forms.SignForm
    service = services.stage_sign
    template_name = "workflows/sign.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        history, level = context["earlier_steps"], self.activation.flow_task.stage_level
        council = SimpleLazyObject(
            lambda: next(
                (s for s in reversed(history) if s.ballots and getattr(s.task.flow_task, "stage_level", None) == level),
                None,
            )
        )
        context["council_step"] = council
        context["summary_rows"] = SimpleLazyObject(lambda: summary_rows(context["nominees"], council))
        return context

    def get_form_kwargs(self):
        process = self.activation.process
        return {
            **super().get_form_kwargs(),
            "nominees": self.nominees(),
            "deciding": services.is_last_stop(process=process, level=self.activation.flow_task.stage_level),
        }


def summary_rows(nominees, council_step) -> list[dict]:
    """Pair each nominee with their ballot of the stage's council vote (if there was one)."""
    ballots = {}
    if council_step:
        ballots = {int(pk): ballot for pk, ballot in council_step.task.data.get("ballots", {}).items()}
    return [{"nominee": nominee, "ballot": ballots.get(nominee.pk)} for nominee in nominees]


class SupplementView(TaskView):
    form_class = forms.SupplementForm
    service = services.dossier_supplement


class ProcessView(LoginRequiredMixin, generic.TemplateView):
    """The dossier's journey: route, steps done, open steps, deadline."""

    template_name = "workflows/process.html"

    def get_context_data(self, **kwargs):
        process = selectors.process_get_visible(user=self.request.user, pk=self.kwargs["process_pk"])
        dossier = process.dossier
        open_steps = list(selectors.tasks_open_on(process=process))
        route = list(dossier.route_stops.select_related("unit").order_by("position"))
        return super().get_context_data(
            process=process,
            dossier=dossier,
            route=route,
            nominees=dossier.nominees.select_related("outcome_stage_unit").order_by("list_position", "pk"),
            earlier_steps=journey.step_history(process=process),
            open_steps=[(task, selectors.task_url(task)) for task in open_steps],
            diagram=journey.flow_diagram(process=process, units={stop.unit_id: stop.unit.name for stop in route}),
            diagram_label=diagram_label(open_steps, finished=process.finished is not None),
            sla=deadline_sla(process.stage_deadline) if open_steps else None,
            may_withdraw=process.finished is None and dossier.created_by_id == self.request.user.pk,
            **kwargs,
        )


def diagram_label(open_steps, *, finished: bool):
    """Name the step(s) where the dossier stands, as the diagram's text alternative."""
    if not open_steps:
        return _("Flow diagram: the dossier has finished its journey.") if finished else _("Flow diagram.")
    names = ", ".join(str(task.flow_task.task_title) for task in open_steps)
    return format_lazy(_("Flow diagram: the dossier is now at {steps}."), steps=names)


def deadline_sla(deadline):
    today = timezone.localdate()
    return deadlines.sla_of(deadline, today=today, soon_until=deadlines.due_soon_until(today))


class WithdrawView(LoginRequiredMixin, generic.FormView):
    form_class = forms.WithdrawForm
    template_name = "workflows/withdraw.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.process = selectors.process_get_visible(user=request.user, pk=kwargs["process_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(process=self.process, dossier=self.process.dossier, **kwargs)

    def form_valid(self, form):
        try:
            services.process_withdraw(process=self.process, actor=self.request.user, reason=form.cleaned_data["reason"])
        except FlowLockFailed:
            return task_unavailable(self.request, TASK_BUSY)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, WITHDRAWN)
        return redirect("workflows:process", process_pk=self.process.pk)


class TaskListView(LoginRequiredMixin, generic.ListView):
    """A list of steps with its filters (campaign, award, unit, deadline) kept in the query string."""

    template_name = "workflows/task_list.html"
    context_object_name = "tasks"
    paginate_by = 50
    title = ""

    def tasks(self):
        raise NotImplementedError

    def get_queryset(self):
        self.today = timezone.localdate()
        tasks = self.tasks()
        campaigns, award_types = selectors.task_filter_choices(tasks)
        self.filter_form = forms.TaskFilterForm(self.request.GET, campaigns=campaigns, award_types=award_types)
        filters = self.filter_form.filters()
        return selectors.tasks_filter(tasks, user=self.request.user, today=self.today, **filters)

    def get_context_data(self, **kwargs):
        form = self.filter_form
        context = super().get_context_data(title=self.title, filter_form=form, **kwargs)
        context["filter_message"] = filters_left_out(form)
        if selectors.may_submit(self.request.user):
            context["submit_url"] = reverse(SUBMIT_URL_NAME)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
        context["filtered"] = any(value for key, value in query.items())
        dossiers = selectors.dossiers_of_tasks(context["tasks"])
        soon_until = deadlines.due_soon_until(self.today)
        rows = []
        for task in context["tasks"]:
            deadline = task.process.coerced.stage_deadline
            rows.append(
                {
                    "task": task,
                    "url": selectors.task_url(task),
                    "dossier": dossiers.get(task.process.artifact_object_id),
                    "deadline": deadline,
                    "sla": deadlines.sla_of(deadline, today=self.today, soon_until=soon_until),
                }
            )
        context["rows"] = rows
        return context


class InboxView(TaskListView):
    """My steps: those I hold and the new ones waiting at my units (the menu's one entry for steps)."""

    title = _("My steps")

    def tasks(self):
        return selectors.task_mine(user=self.request.user)


class QueueView(TaskListView):
    """Steps my roles may take."""

    title = _("Steps waiting for my units")

    def tasks(self):
        return selectors.task_queue(user=self.request.user)


class UnitSearchView(LoginRequiredMixin, generic.View):
    """The unit pickers' matches as JSON: of the user's scope, or of a visible process's consultation candidates."""

    def get(self, request):
        process_id = request.GET.get("process", "")
        if process_id and not forms.is_id(process_id):
            raise Http404
        ids = [int(part) for part in request.GET.get("ids", "").split(",") if forms.is_id(part.strip())]
        units = selectors.unit_matches(
            selectors.units_to_pick(user=request.user, process_id=int(process_id) if process_id else None),
            term=request.GET.get("q", "")[:100],
            ids=ids,
        )
        results = [{"id": unit.pk, "label": f"{unit.name} · {unit.admin_code or unit.short_name}"} for unit in units]
        return JsonResponse({"results": results})
