"""Scoped reads of processes and tasks.

viewflow does not scope its lists or detail pages (upstream issue #505): whoever may use the flow sees every
process. Every page of the workflow therefore starts from ``processes_visible_to``: the processes whose dossier
the user may see (``nominations.selectors.dossier_list_visible_to``), plus those where the user holds or held a
task (a consulted unit is not on the route but must see what it is asked about).
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import CharField, Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django.urls import get_resolver
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from nominations import permissions as nomination_permissions
from nominations.models import AwardType, Campaign, Dossier
from nominations.selectors import dossier_ids_visible_to, dossier_visibility_lookups
from org_hierarchy.models import OrgUnit, Role, folded
from org_hierarchy.roles import permission_for
from org_hierarchy.selectors import seats_of, units_in_scope

from .deadlines import Sla, due_soon_until
from .models import NominationProcess

# The unit pickers' autocomplete answers with at most this many units.
UNIT_MATCHES = 20


def _task_unit_keys(user) -> list[str]:
    return sorted({str(seat.unit_id) for seat in seats_of(user)})


def processes_visible_to(*, user) -> QuerySet[NominationProcess]:
    """Return the nomination processes the user may see."""
    processes = NominationProcess.objects.filter(artifact_content_type=ContentType.objects.get_for_model(Dossier))
    if getattr(user, "is_superuser", False):
        return processes
    if not getattr(user, "is_authenticated", False):
        return processes.none()
    # Two sets, each a UNION of indexed reads that PostgreSQL builds once and probes per process; the same
    # conditions written as one OR of joins made it rescan the dossiers for every statement.
    held = Task.objects.filter(owner=user).values("process_id")
    at_my_units = Task.objects.filter(owner_permission_obj_pk__in=_task_unit_keys(user)).values("process_id")
    return processes.filter(
        Q(artifact_object_id__in=dossier_ids_visible_to(user=user)) | Q(pk__in=held.union(at_my_units, all=True))
    )


def process_list_visible_to(*, user) -> QuerySet[NominationProcess]:
    """Return the processes of ``processes_visible_to``, written for a list read newest first a page at a time.

    For someone seated at the top of a branch (the Ministry, the Government: about 40 % of all dossiers) each
    process is checked by lookups on its own keys as the list walks the creation-time index, so a page reads a few
    dozen rows whatever the data size; the set form made PostgreSQL build the whole visible set first (150 ms at
    100,000 dossiers). A narrower scope keeps the set form: its set is small, and row-by-row checks would walk most
    processes of the country to fill one page.
    """
    if getattr(user, "is_superuser", False) or not any(len(seat.path) == OrgUnit.steplen for seat in seats_of(user)):
        return processes_visible_to(user=user)
    return _processes_checked_row_by_row(user)


def _processes_checked_row_by_row(user) -> QuerySet[NominationProcess]:
    steps = Task.objects.filter(
        Q(owner=user) | Q(owner_permission_obj_pk__in=_task_unit_keys(user)), process=OuterRef("pk")
    ).values("pk")
    lookups = [*dossier_visibility_lookups(user=user, dossier_id=OuterRef("artifact_object_id")), steps]
    # A scalar subquery per way of being visible: PostgreSQL runs it per row (an EXISTS it would hash whole).
    checks = {f"visible_{index}": Subquery(lookup[:1]) for index, lookup in enumerate(lookups)}
    seen = Q()
    for name in checks:
        seen |= Q(**{f"{name}__isnull": False})
    processes = NominationProcess.objects.filter(artifact_content_type=ContentType.objects.get_for_model(Dossier))
    return processes.alias(**checks).filter(seen)


def open_task_count() -> Coalesce:
    """Return, as an expression over a process, how many of its tasks are unfinished (viewflow's active tasks)."""
    open_tasks = Task.objects.filter(process=OuterRef("pk"), finished__isnull=True).order_by().values("process")
    return Coalesce(Subquery(open_tasks.annotate(n=Count("pk")).values("n")), 0)


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
    units = OrgUnit.objects.filter(pk=Cast(OuterRef("owner_permission_obj_pk"), IntegerField()))
    return (
        tasks.select_related("process")
        .annotate(unit_name=Subquery(units.values("name")[:1], output_field=CharField()))
        .order_by("created", "pk")
    )


def _of_nominations(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Keep the steps of nomination processes.

    The queue (steps at the user's units) and the inbox (steps the user holds) need no other scope: a process with
    a step at one of the user's units or held by the user is visible to them by ``processes_visible_to``'s own
    definition, so repeating that set here only cost its computation on every statement of the list.
    """
    return tasks.filter(process__artifact_content_type=ContentType.objects.get_for_model(Dossier))


HELD_STATUSES = (STATUS.ASSIGNED, STATUS.STARTED)


def _offered_to(user) -> Q | None:
    """Return the condition of the free open steps offered to the user's roles at their units (None: no seat)."""
    offered = Q()
    for seat in seats_of(user):
        offered |= Q(owner_permission=permission_for(seat.role), owner_permission_obj_pk=str(seat.unit_id))
    if not offered:
        return None
    return offered & Q(status=STATUS.NEW, owner__isnull=True)


def task_queue(*, user) -> QuerySet[Task]:
    """Return the open tasks the user may take: their role at the task's unit, not on their own dossier."""
    offered = _offered_to(user)
    if offered is None:
        return Task.objects.none()
    tasks = _of_nominations(Task.objects.filter(offered, flow_task_type="HUMAN")).exclude(
        process__artifact_object_id__in=nomination_permissions.dossier_ids_party_to(user=user)
    )
    return _with_dossier(tasks)


def task_inbox(*, user) -> QuerySet[Task]:
    """Return the open tasks assigned to the user."""
    tasks = Task.objects.filter(owner=user, flow_task_type="HUMAN", status__in=HELD_STATUSES)
    return _with_dossier(_of_nominations(tasks))


def task_mine(*, user) -> QuerySet[Task]:
    """Return every open step that is the user's to do: those they hold, and the new ones waiting at their units.

    This is "My steps": a step a unit receives is there at once, before anyone takes it.
    """
    mine = Q(owner=user, status__in=HELD_STATUSES)
    offered = _offered_to(user)
    if offered is not None:
        mine |= offered & ~Q(process__artifact_object_id__in=nomination_permissions.dossier_ids_party_to(user=user))
    return _with_dossier(_of_nominations(Task.objects.filter(mine, flow_task_type="HUMAN")))


def supplement_task_of(*, user, dossier_id: int) -> Task | None:
    """Return the open step of the dossier that the user holds as its submitter (supplementing it), or None.

    Only the supplement step is ever assigned to a dossier's submitter: a party to a dossier may not take its
    stage steps.
    """
    tasks = Task.objects.filter(
        owner=user, flow_task_type="HUMAN", status__in=HELD_STATUSES, process__artifact_object_id=dossier_id
    )
    return _of_nominations(tasks).order_by("-created").first()


def tasks_filter(
    tasks: QuerySet[Task],
    *,
    user,
    today: datetime.date,
    campaign: Campaign | None = None,
    award_type: AwardType | None = None,
    unit_id: int | None = None,
    sla: str = "",
) -> QuerySet[Task]:
    """Narrow a task list; the filters combine.

    ``unit_id`` keeps the steps at that unit and the steps on dossiers from that unit or a unit under it; a unit
    outside the user's scope keeps nothing. ``sla`` compares the stage's deadline with ``sla_of``'s bounds.
    """
    dossiers = Q()
    if campaign is not None:
        dossiers &= Q(campaign=campaign)
    if award_type is not None:
        dossiers &= Q(award_type=award_type)
    if dossiers:
        tasks = tasks.filter(process__artifact_object_id__in=Dossier.objects.filter(dossiers).values("pk"))
    if unit_id is not None:
        unit = units_in_scope(user=user).filter(pk=unit_id).first()
        if unit is None:
            return tasks.none()
        from_unit = Dossier.objects.filter(originating_unit__in=OrgUnit.objects.subtree_of(unit.path)).values("pk")
        tasks = tasks.filter(Q(owner_permission_obj_pk=str(unit.pk)) | Q(process__artifact_object_id__in=from_unit))
    if sla:
        soon_until = due_soon_until(today)
        condition = {
            Sla.OVERDUE: Q(stage_deadline__lt=today),
            Sla.DUE_SOON: Q(stage_deadline__gte=today, stage_deadline__lte=soon_until),
            Sla.ON_TIME: Q(stage_deadline__gt=soon_until),
        }[Sla(sla)]
        deadline = Cast(KeyTextTransform("stage_deadline", "process__data"), models.DateField())
        tasks = tasks.alias(stage_deadline=deadline).filter(condition)
    return tasks


def task_filter_choices(tasks: QuerySet[Task]) -> tuple[QuerySet[Campaign], QuerySet[AwardType]]:
    """Return the campaigns and award types of the dossiers in a task list, for its filters."""
    dossiers = Dossier.objects.filter(pk__in=tasks.order_by().values("process__artifact_object_id"))
    return (
        Campaign.objects.filter(pk__in=dossiers.values("campaign_id")).order_by("name"),
        AwardType.objects.filter(pk__in=dossiers.values("award_type_id")),
    )


def dossiers_of_tasks(tasks) -> dict[int, Dossier]:
    """Return the dossiers of a page of tasks by id, with what a task row shows of them, in one query."""
    ids = {task.process.artifact_object_id for task in tasks}
    return Dossier.objects.select_related("campaign", "award_type", "originating_unit").in_bulk(ids)


def unit_matches(units: QuerySet[OrgUnit], *, term: str = "", ids=()) -> QuerySet[OrgUnit]:
    """Return at most ``UNIT_MATCHES`` of ``units`` whose name contains ``term`` or whose code starts with it.

    Names are compared without diacritics or case ("hai chau" finds "Phường Hải Châu").

    ``ids`` instead returns those units (to name the ones already chosen), still only among ``units``.
    """
    if ids:
        return units.filter(pk__in=ids).order_by("path")[:UNIT_MATCHES]
    term = term.strip()
    if not term:
        return units.none()
    matching = Q(search_name__contains=folded(term)) | Q(short_name__iexact=term) | Q(admin_code__startswith=term)
    return units.filter(matching).order_by("path")[:UNIT_MATCHES]


def units_to_pick(*, user, process_id: int | None = None) -> QuerySet[OrgUnit]:
    """Return the units a picker may offer: a visible process's consultation candidates, else the user's scope."""
    if process_id is not None:
        return consultation_candidates(process=process_get_visible(user=user, pk=process_id))
    return units_in_scope(user=user)


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
