"""Scoped reads of processes and tasks.

viewflow does not scope its lists or detail pages (upstream issue #505): whoever may use the flow sees every
process. Every page of the workflow therefore starts from ``processes_visible_to``: the processes whose dossier
the user may see (``nominations.selectors.dossier_list_visible_to``), plus those where the user holds or held a
task (a consulted unit is not on the route but must see what it is asked about).
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.http import Http404
from django.urls import get_resolver
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from nominations.models import Dossier
from nominations.selectors import dossier_list_visible_to
from org_hierarchy.models import OrgUnit, Role
from org_hierarchy.roles import permission_for
from org_hierarchy.selectors import seats_of

from .models import NominationProcess


def is_party_to_dossier(*, user, dossier_id: int) -> bool:
    """Tell whether the user submitted the dossier or is named in it (separation of duties)."""
    return Dossier.objects.filter(Q(created_by=user) | Q(nominees__user=user), pk=dossier_id).exists()


def dossiers_party_to(*, user) -> QuerySet[Dossier]:
    return Dossier.objects.filter(Q(created_by=user) | Q(nominees__user=user))


def users_party_to(*, dossier_id: int) -> QuerySet:
    """Return the ids of the dossier's submitter and of the nominees' user accounts, for exclusion."""
    return (
        get_user_model()
        .objects.filter(
            Q(pk__in=Dossier.objects.filter(pk=dossier_id).values("created_by_id"))
            | Q(nominations__dossier_id=dossier_id)
        )
        .values("pk")
    )


def _task_unit_keys(user) -> list[str]:
    return sorted({str(seat.unit_id) for seat in seats_of(user)})


def processes_visible_to(*, user) -> QuerySet[NominationProcess]:
    """Return the nomination processes the user may see."""
    processes = NominationProcess.objects.filter(artifact_content_type=ContentType.objects.get_for_model(Dossier))
    if getattr(user, "is_superuser", False):
        return processes
    if not getattr(user, "is_authenticated", False):
        return processes.none()
    involved = Task.objects.filter(Q(owner=user) | Q(owner_permission_obj_pk__in=_task_unit_keys(user)))
    return processes.filter(
        Q(artifact_object_id__in=dossier_list_visible_to(user=user).values("pk"))
        | Q(pk__in=involved.values("process_id"))
    )


def process_get_visible(*, user, pk: int) -> NominationProcess:
    """Return the process if the user may see it; 404 otherwise, so ids cannot be probed."""
    process = processes_visible_to(user=user).filter(pk=pk).first()
    if process is None:
        raise Http404
    return process


def process_is_visible(*, user, process_id: int, task_id: int | None = None) -> bool:
    """Tell whether the process (and the task, when given, as one of its tasks) is visible to the user."""
    if task_id is not None:
        return Task.objects.filter(
            pk=task_id, process_id=process_id, process__in=processes_visible_to(user=user).values("pk")
        ).exists()
    return processes_visible_to(user=user).filter(pk=process_id).exists()


def _with_dossier(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Annotate what the task rows show, so a list costs the same few queries whatever its length."""
    dossiers = Dossier.objects.filter(pk=OuterRef("process__artifact_object_id"))
    units = OrgUnit.objects.filter(pk=Cast(OuterRef("owner_permission_obj_pk"), IntegerField()))
    return (
        tasks.select_related("process")
        .annotate(
            dossier_id=Subquery(dossiers.values("pk")[:1]),
            dossier_title=Subquery(dossiers.values("title")[:1]),
            unit_name=Subquery(units.values("name")[:1], output_field=CharField()),
        )
        .order_by("created", "pk")
    )


def task_queue(*, user) -> QuerySet[Task]:
    """Return the open tasks the user may take: their role at the task's unit, not on their own dossier."""
    offered = Q()
    for seat in seats_of(user):
        offered |= Q(owner_permission=permission_for(seat.role), owner_permission_obj_pk=str(seat.unit_id))
    if not offered:
        return Task.objects.none()
    tasks = (
        Task.objects.filter(offered, flow_task_type="HUMAN", status=STATUS.NEW, owner__isnull=True)
        .filter(process__in=processes_visible_to(user=user).values("pk"))
        .exclude(process__artifact_object_id__in=dossiers_party_to(user=user).values("pk"))
    )
    return _with_dossier(tasks)


def task_inbox(*, user) -> QuerySet[Task]:
    """Return the open tasks assigned to the user."""
    tasks = Task.objects.filter(
        owner=user, flow_task_type="HUMAN", status__in=[STATUS.ASSIGNED, STATUS.STARTED]
    ).filter(process__in=processes_visible_to(user=user).values("pk"))
    return _with_dossier(tasks)


def tasks_done_on(*, process) -> QuerySet[Task]:
    """Return the finished human steps of a process, oldest first, with who did them."""
    return (
        Task.objects.filter(process=process, flow_task_type__in=["HUMAN", "HUMAN_START"], status=STATUS.DONE)
        .select_related("owner")
        .order_by("finished", "pk")
    )


def tasks_open_on(*, process) -> QuerySet[Task]:
    """Return the open human steps of a process, with who holds them."""
    return (
        Task.objects.filter(process=process, flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED])
        .select_related("owner")
        .order_by("created", "pk")
    )


def consultation_candidates(*, process) -> QuerySet[OrgUnit]:
    """Return the units a stage may consult: its own part of the tree and the other branches' units of its locality.

    The originating unit and the units of the dossier's own route are left out: they act on it anyway.
    """
    current = process.dossier.current_stage_unit
    area = OrgUnit.objects.get_parent(current) or current
    same_locality = Q(level=current.level, admin_code=current.admin_code) if current.admin_code else Q(pk__in=[])
    route_ids = [unit_id for _level, unit_id in process.route]
    return (
        OrgUnit.objects.filter(Q(path__startswith=area.path) | same_locality, is_active=True)
        .exclude(pk__in=[*route_ids, process.dossier.originating_unit_id])
        .order_by("path")
    )


def may_use_workflow(*, user) -> bool:
    """Tell whether the user holds any role today (the lists are scoped anyway)."""
    return getattr(user, "is_superuser", False) or bool(seats_of(user))


def may_submit(user) -> bool:
    """Tell whether the user may start the flow: a submitter somewhere."""
    return any(seat.role == Role.SUBMITTER for seat in seats_of(user))


def node_url(node, name: str, *args) -> str:
    """Return the address of a node's page.

    viewflow builds a node's URL namespace from the viewsets its flow is mounted in, which it learns only when the
    URLconf is loaded; a timer fired from the command line may get here first, so load it.
    """
    get_resolver().url_patterns  # noqa: B018 (loading the URLconf is the point)
    return node.reverse(name, args=args)


def task_url(task) -> str:
    """Return the address of a task's page (its index redirects to do, take or view it)."""
    return node_url(task.flow_task, "index", task.process_id, task.pk)


def deadline_timers_fired(*, task) -> QuerySet[Task]:
    """Return the reminder and escalation timers of a step that have fired, oldest first."""
    return Task.objects.filter(previous=task, flow_task_type="TIMER", status=STATUS.DONE).order_by("finished")
