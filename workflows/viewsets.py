"""viewflow's application for the nomination flow, with every list and page scoped to the user's units.

viewflow 2.4 scopes neither its lists nor its detail pages (upstream issue #505), and its task URLs load the task by
id alone. Here every list view starts from ``selectors.processes_visible_to``, and every URL that names a process
(process detail, chart, cancel, and each task page: index, detail, assign, unassign, execute, cancel, undo,
revive) first checks that the process, and the task as one of its tasks, is visible: otherwise 404, so ids of
other units cannot be probed. A flow lock that cannot be had in time becomes a "try again" page, never a 500.
"""

from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views import generic
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.flow import FlowAppViewset
from viewflow.workflow.flow import views as flow_views

from . import forms, selectors
from .pagination import UncountedPaginator
from .views import TASK_BUSY, task_unavailable


class DashboardView(generic.RedirectView):
    """The flow's home is the user's queue: viewflow's kanban dashboard lists every process's tasks, unscoped."""

    flow_class = None
    viewset = None
    pattern_name = "workflows:queue"


def reverse_journey(process_pk) -> str:
    return reverse("workflows:process", args=[process_pk])


def _moment(value) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else "—"


class StepColumns:
    """viewflow's task lists in the project's words: the step, its dossier, when it came and ended, who holds it.

    viewflow's own columns print its English ("Brief", "Process summary"), the flow's node names and the
    process's generic summary.
    """

    columns = ("step", "dossier", "arrived", "holder")

    def step(self, task):
        url = task.flow_task.reverse("index", args=[task.process_id, task.pk])
        return format_html('<a href="{}">{}</a>', url, task.flow_task.task_title or task.flow_task)

    step.short_description = _("Step")

    def dossier(self, task):
        process = task.process
        return format_html('<a href="{}">{}</a>', reverse_journey(process.pk), process.artifact)

    dossier.short_description = _("Dossier")

    def arrived(self, task):
        return _moment(task.created)

    arrived.short_description = _("Arrived")

    def finished_at(self, task):
        return _moment(task.finished)

    finished_at.short_description = _("Done")

    def holder(self, task):
        return task.owner.get_full_name() if task.owner else "—"

    holder.short_description = _("Held by")


class InboxRedirectView(DashboardView):
    """viewflow's inbox is the application's "My steps": one list of one's steps, one entry in the menu."""

    pattern_name = "workflows:inbox"


class QueueRedirectView(DashboardView):
    """viewflow's queue is the application's queue of the user's units, scoped and without one's own dossiers."""


class ScopedListMixin:
    def get_queryset(self):
        visible = selectors.process_list_visible_to(user=self.request.user).values("pk")
        queryset = super().get_queryset()
        if queryset.model is self.flow_class.process_class:
            return queryset.filter(pk__in=visible).order_by("-created")
        # The dossier of each row's process: one query for the page, not one per row.
        return (
            queryset.filter(process__in=visible)
            .select_related("process", "owner")
            .prefetch_related("process__artifact")
        )


class ProcessListView(ScopedListMixin, flow_views.DashboardProcessListView):
    """viewflow's process list, newest first, its open-task column counted for the page's rows only, never counted.

    viewflow joins every listed process with all its tasks and groups them to count the open ones, then sorts
    that for one page and counts the same join for the paginator: linear in all the processes the user may see
    (for a minister, a whole branch). As a subquery of the selected columns the count is worked out after the
    sort and limit, for the rows of the page. The page is read along the creation-time index
    (``workflows_process_created``) and stops one row past the page, and the list is not counted at all
    (``UncountedPaginator``): counting a ministry's visible processes took most of a second at national scale.
    """

    paginator_class = UncountedPaginator
    # viewflow's list without its floating button, whose style attributes the Content-Security-Policy refuses.
    template_name = "viewflow/views/list.html"
    columns = ("number", "dossier", "submitted", "closed", "active_tasks")
    object_link_columns = ()

    def number(self, process):
        return format_html('<a href="{}">{}</a>', reverse_journey(process.pk), process.pk)

    number.short_description = _("No.")

    def dossier(self, process):
        return process.artifact

    dossier.short_description = _("Dossier")

    def submitted(self, process):
        return _moment(process.created)

    submitted.short_description = _("Submitted")

    def closed(self, process):
        return _moment(process.finished)

    closed.short_description = _("Closed")

    def active_tasks(self, process):
        return process.active_tasks_count

    active_tasks.short_description = _("Open steps")

    def get_queryset(self):
        # Skips DashboardProcessListView.get_queryset (the joined count), keeps viewflow's filters and search.
        # The scope's conditions join viewflow's own (``&``) rather than nesting as ``pk IN (…)``: on the same rows,
        # PostgreSQL can walk them newest first and stop at the page's end.
        queryset = super(flow_views.DashboardProcessListView, self).get_queryset()
        visible = selectors.process_list_visible_to(user=self.request.user)
        return (
            (queryset.filter(flow_class=self.flow_class) & visible)
            .annotate(active_tasks_count=selectors.open_task_count())
            .prefetch_related("artifact")
            .order_by("-created", "-pk")
        )


class TaskListView(StepColumns, ScopedListMixin, flow_views.DashboardTaskListView):
    template_name = "viewflow/views/list.html"


class ArchiveListView(StepColumns, ScopedListMixin, flow_views.FlowArchiveListView):
    columns = ("step", "dossier", "arrived", "finished_at")


class ScopedBulkMixin:
    """viewflow's bulk assign/unassign pages, over the user's own steps only.

    viewflow reads the task ids of the POST from the whole task table, and without ids it lists every task of the
    system; here both the list and the ids offered to the form come from the user's queue (assign) or inbox
    (unassign), so a foreign id is simply not there. An id that is not a number of the id column's range is a 404.
    """

    done_message = None
    template_name = "workflows/tasks_bulk.html"
    title = ""

    def scoped_tasks(self):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        if not all(forms.is_id(pk) for pk in request.POST.getlist("pk")):
            raise Http404
        return super().post(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return HttpResponseRedirect(self.get_success_url())

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["pk"].queryset = self.scoped_tasks()
        return form

    def get_queryset(self):
        tasks = self.scoped_tasks()
        pks = self.request.POST.getlist("pk")
        if pks and not self.request.POST.get("select_all"):
            tasks = tasks.filter(pk__in=pks)
        # Each row's dossier: one query for the list, not one per row.
        tasks = tasks.prefetch_related("process__artifact")
        self.object_list = tasks
        return tasks

    def message_user(self):
        messages.success(self.request, self.done_message, fail_silently=True)


class BulkAssignView(ScopedBulkMixin, flow_views.BulkAssignTasksActionView):
    title = _("Take the selected steps")
    done_message = _("The selected steps were assigned to you.")

    def scoped_tasks(self):
        return selectors.task_queue(user=self.request.user)


class BulkUnassignView(ScopedBulkMixin, flow_views.BulkUnassignTasksActionView):
    title = _("Hand the selected steps back to the queue")
    done_message = _("The selected steps were handed back to the queue.")

    def scoped_tasks(self):
        return selectors.task_inbox(user=self.request.user)


def scope_guard(view):
    """Answer 404 unless the URL's process (and task) is visible to the user; a lock timeout asks to retry."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.process_is_visible(
            user=request.user, process_id=kwargs["process_pk"], task_id=kwargs.get("task_pk")
        ):
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except FlowLockFailed:
            return task_unavailable(request, TASK_BUSY)

    return guarded


def journey(request, process_pk, **kwargs):
    """viewflow's detail pages of a process and of a step list its model's fields and codes: the journey page
    tells the same in people's words."""
    return redirect("workflows:process", process_pk=process_pk)


# viewflow's URL names of those pages.
JOURNEY_PAGES = ("process_detail", "detail")


def _guard_patterns(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _guard_patterns(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and "process_pk" in pattern.pattern.converters:
            if pattern.name in JOURNEY_PAGES:
                pattern.callback = journey
            pattern.callback = scope_guard(pattern.callback)
    return patterns


class NominationAppViewset(FlowAppViewset):
    dashboard_view_class = DashboardView
    process_list_view_class = ProcessListView
    task_list_view_class = TaskListView
    inbox_view_class = InboxRedirectView
    queue_view_class = QueueRedirectView
    archive_view_class = ArchiveListView
    tasks_assign_view_class = BulkAssignView
    tasks_unassign_view_class = BulkUnassignView

    def get_context_data(self, request):
        # The flow menu's queue count comes from the step list's own selector: viewflow's read every open task of
        # the flow (through a text concatenation no index serves), 36 ms per page at 100,000 dossiers.
        return {"user_queue": selectors.task_queue(user=request.user)}

    def _get_urls(self):
        return _guard_patterns(super()._get_urls())
