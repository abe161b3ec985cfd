"""Scoped reads of dossiers, nominees, attachments and the catalogue.

A member sees a dossier that originates in, or is routed through, the units of their scope
(``org_hierarchy.selectors.units_in_scope``, one indexed subtree query used as a subquery); a draft is seen only
by those who may draft or administer at its originating unit. Anything else is a 404, so ids cannot be probed.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process
from viewflow.workflow.status import PROCESS, STATUS

from audit.events import AuditEvent
from audit.selectors import ledger_entries_about
from org_hierarchy.models import OrgUnit, Role
from org_hierarchy.roles import STAGE_ROLES
from org_hierarchy.selectors import holds_role, seats_of, units_in_scope, units_with_role

from . import routing
from .models import (
    Attachment,
    AwardRecord,
    AwardType,
    Campaign,
    Decision,
    DocumentKind,
    Dossier,
    DossierStatus,
    Nominee,
    PostingComment,
    PublicPosting,
    RouteStop,
    StageEscalation,
)

# A workflow step still waiting to be done (viewflow's statuses; the workflow app sits above this one).
OPEN_STEP_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def _visibility(user, key=None) -> tuple[QuerySet, QuerySet, QuerySet]:
    """Return the ids of the dossiers visible to ``user`` in each of three ways: originated in their scope (not a
    draft), routed through it, or a draft where they may draft; only the dossier ``key`` when it is given."""
    scope = units_in_scope(user=user).values("pk")
    drafting_scope = units_in_scope(user=user, roles=[Role.SUBMITTER, Role.ADMIN, Role.AUDITOR]).values("pk")
    one = {} if key is None else {"pk": key}
    stops = {} if key is None else {"dossier_id": key}
    originated = Dossier.objects.filter(originating_unit__in=scope, **one).exclude(status=DossierStatus.DRAFT)
    # A draft has no route stops (``dossier_submit`` writes them as the dossier leaves the draft status, which no
    # dossier returns to), so this part needs no join to the dossiers to keep drafts out.
    routed = RouteStop.objects.filter(unit__in=scope, **stops)
    drafts = Dossier.objects.filter(status=DossierStatus.DRAFT, originating_unit__in=drafting_scope, **one)
    return originated.values("pk"), routed.values("dossier_id"), drafts.values("pk")


def dossier_ids_visible_to(*, user) -> QuerySet:
    """Return the ids of the dossiers the user may see, as one UNION of indexed reads.

    Each part is served by its own index (the dossier's originating unit, the route stop's unit); written as one
    ``OR`` of the same conditions, PostgreSQL had to scan every dossier for every statement that used the scope.
    """
    originated, routed, drafts = _visibility(user)
    return originated.union(routed, drafts, all=True)


def submitted_dossier_visible(*, user) -> Q:
    """The condition "the user may see this row's dossier, which is past its draft", on rows with a ``dossier``
    (tallies, nominees): the dossiers of ``dossier_ids_visible_to`` but the drafts, tested on the dossier the
    query joins anyway (its originating unit among the scope's units, both hashed once) or among the dossiers
    routed through the scope (one uncorrelated subquery, hashed once). A count over a year's dossiers so reads
    only that year's rows, where the set of ids was built first (for the Ministry's statistics of a year at the
    default size, 0.44 s to 0.17 s: ``benchmarks/README.md``, "Reports")."""
    scope = units_in_scope(user=user).values("pk")
    routed = RouteStop.objects.filter(unit__in=scope).values("dossier_id")
    originated = Q(dossier__originating_unit__in=scope) & ~Q(dossier__status=DossierStatus.DRAFT)
    return originated | Q(dossier_id__in=routed)


def tally_visible(*, user) -> Q:
    """``submitted_dossier_visible`` on the statistics' tallies, which carry their dossier's originating unit and
    exist only for dossiers past their draft: the same dossiers without a join to them."""
    scope = units_in_scope(user=user).values("pk")
    routed = RouteStop.objects.filter(unit__in=scope).values("dossier_id")
    return Q(originating_unit__in=scope) | Q(dossier_id__in=routed)


def dossier_visibility_lookups(*, user, dossier_id) -> tuple[QuerySet, ...]:
    """Return the parts of ``dossier_ids_visible_to`` for one dossier, each read by the dossier's key.

    ``dossier_id`` is an expression (an ``OuterRef``): a list that walks its rows in order checks each row's dossier
    with these lookups instead of building the whole visible set first (``workflows.selectors``).
    """
    return _visibility(user, dossier_id)


def dossier_list_visible_to(*, user) -> QuerySet[Dossier]:
    """Return the dossiers the user may see, with what list pages show already joined and counted."""
    nominee_counts = (
        Nominee.objects.filter(dossier=OuterRef("pk")).order_by().values("dossier").annotate(n=Count("pk")).values("n")
    )
    return (
        Dossier.objects.filter(pk__in=dossier_ids_visible_to(user=user))
        .select_related("originating_unit", "award_type", "campaign", "current_stage_unit")
        .annotate(nominee_count=Coalesce(Subquery(nominee_counts), 0))
        .order_by("-created_at", "-pk")
    )


def dossier_get_visible(*, user, pk, progress: bool = False) -> Dossier:
    """Return the dossier if the user's scope covers it; 404 otherwise, so ids cannot be probed.

    With ``progress`` the dossier comes with what ``route_progress`` reads (see ``with_progress``).
    """
    dossiers = dossier_list_visible_to(user=user)
    return get_object_or_404(with_progress(dossiers) if progress else dossiers, pk=pk)


def dossier_dashboard(*, user, status: str = "", campaign=None, year: int | None = None) -> QuerySet[Dossier]:
    """Return the visible dossiers matching the filters, each with its route and its current stage's deadline.

    The route comes in one prefetch and the deadline as a subquery, so the page costs the same at any size.
    """
    dossiers = with_progress(dossier_list_visible_to(user=user))
    if status:
        dossiers = dossiers.filter(status=status)
    if campaign is not None:
        dossiers = dossiers.filter(campaign=campaign)
    if year is not None:
        dossiers = dossiers.filter(year=year)
    return dossiers


def with_progress(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """Join what ``route_progress`` reads: the route stops with their units and the running stage's deadline.

    The deadline is kept by the running workflow process (its ``stage_deadline``, set when a stage receives the
    dossier); it is read here from the process's stored data so that this app needs nothing from the workflow's.
    """
    running = Process.objects.filter(
        artifact_content_type__app_label=Dossier._meta.app_label,
        artifact_content_type__model=Dossier._meta.model_name,
        artifact_object_id=OuterRef("pk"),
        status=PROCESS.NEW,
    ).order_by("-pk")
    # A rejection drops every pending nominee at the rejecting stage, so the last outcome names that stage.
    last_outcome = Nominee.objects.filter(dossier=OuterRef("pk"), outcome_stage_unit__isnull=False).order_by(
        "-outcome_at", "-pk"
    )
    return dossiers.annotate(
        ended_at_unit_id=Subquery(last_outcome.values("outcome_stage_unit")[:1]),
        stage_deadline_text=Subquery(
            running.annotate(deadline=KeyTextTransform("stage_deadline", "data")).values("deadline")[:1]
        ),
    ).prefetch_related(Prefetch("route_stops", queryset=route_stop_list()))


class StepState:
    DONE = "done"
    CURRENT = "current"
    RETURNED = "returned"
    STOPPED = "stopped"
    UPCOMING = "upcoming"


STEP_LABELS = {
    StepState.DONE: _("done"),
    StepState.CURRENT: _("current stage"),
    StepState.RETURNED: _("returned for supplement"),
    StepState.STOPPED: _("ended here"),
    StepState.UPCOMING: _("to come"),
}


@dataclass(frozen=True)
class RouteStep:
    """One stop of a dossier's route as the progress drawing shows it."""

    unit: object
    state: str
    deadline: datetime.date | None = None

    @property
    def label(self):
        return STEP_LABELS[self.state]


def route_progress(dossier: Dossier) -> list[RouteStep]:
    """Tell, for each stop of the route, whether it is done, current, returned, where it ended, or to come.

    Reads the prefetched stops and the deadline annotation of ``with_progress`` (no query of its own).
    """
    stops = sorted(dossier.route_stops.all(), key=lambda stop: stop.position)
    if dossier.status == DossierStatus.DECIDED:
        return [RouteStep(stop.unit, StepState.DONE) for stop in stops]
    deadline = parse_date(getattr(dossier, "stage_deadline_text", None) or "")
    if dossier.status == DossierStatus.RETURNED:
        here, state_here = dossier.returned_by_unit_id, StepState.RETURNED
    elif dossier.status == DossierStatus.SUBMITTED:
        here, state_here = dossier.current_stage_unit_id, StepState.CURRENT
    elif dossier.status == DossierStatus.REJECTED:
        here, state_here = getattr(dossier, "ended_at_unit_id", None), StepState.STOPPED
    else:
        here, state_here = None, StepState.UPCOMING
    steps, reached = [], False
    for stop in stops:
        if stop.unit_id == here:
            reached = True
            steps.append(RouteStep(stop.unit, state_here, deadline if state_here == StepState.CURRENT else None))
        elif reached or here is None:
            steps.append(RouteStep(stop.unit, StepState.UPCOMING))
        else:
            steps.append(RouteStep(stop.unit, StepState.DONE))
    return steps


@dataclass(frozen=True)
class ReturnRequest:
    """What the stage that returned a dossier asked for: where, who, when, and the note."""

    stage: str
    actor: str
    at: datetime.datetime | None
    note: str


def return_request_of(*, dossier: Dossier) -> ReturnRequest | None:
    """Return the open request for supplement of a returned dossier (None otherwise).

    The note is the dossier's own; the stage, the officer and the time come from the ledger entry of the return.
    """
    if dossier.status != DossierStatus.RETURNED:
        return None
    entry = (
        ledger_entries_about(subjects=[dossier]).filter(event=AuditEvent.DOSSIER_RETURNED).order_by("-sequence").first()
    )
    if entry is None:
        return ReturnRequest(stage="", actor="", at=None, note=dossier.returned_reason)
    return ReturnRequest(
        stage=entry.unit_name, actor=entry.actor_name, at=entry.occurred_at, note=dossier.returned_reason
    )


def nominee_list(*, dossier: Dossier) -> QuerySet[Nominee]:
    return dossier.nominees.select_related(
        "collective_unit", "subject_group", "outcome_stage_unit", "outcome_by", "award_record__revocation"
    ).order_by("list_position", "pk")


def nominee_get(*, dossier: Dossier, pk) -> Nominee:
    return get_object_or_404(nominee_list(dossier=dossier), pk=pk)


def attachment_list(*, dossier: Dossier) -> QuerySet[Attachment]:
    return dossier.attachments.select_related("kind", "uploaded_by").order_by("kind__code", "pk")


def attachment_get(*, dossier: Dossier, pk) -> Attachment:
    return get_object_or_404(attachment_list(dossier=dossier), pk=pk)


def route_stop_list() -> QuerySet[RouteStop]:
    return RouteStop.objects.select_related("unit").order_by("position")


def decision_of(*, dossier: Dossier) -> Decision | None:
    return Decision.objects.filter(dossier=dossier).select_related("issuer_unit", "signer", "acting_for").first()


def escalations_open() -> QuerySet[StageEscalation]:
    """Return the escalations to a level above whose overdue step is still open, newest first."""
    return (
        StageEscalation.objects.filter(task__status__in=OPEN_STEP_STATUSES)
        .select_related("stage_unit", "to_unit", "task")
        .order_by("-escalated_at", "-pk")
    )


def escalations_open_of(*, dossier: Dossier) -> list[StageEscalation]:
    """Return the open escalations of a dossier (the mark on its page)."""
    return list(escalations_open().filter(dossier=dossier))


def escalations_open_at(*, units) -> QuerySet[StageEscalation]:
    """Return the open escalations from or to ``units`` (a queryset of units): a dashboard's panel."""
    return escalations_open().filter(Q(stage_unit__in=units) | Q(to_unit__in=units)).select_related("dossier")


def _lineage_paths(user) -> set[str]:
    """The paths of the user's seat units and of every unit above them (treebeard's fixed-length path steps)."""
    step = OrgUnit.steplen
    return {seat.path[:end] for seat in seats_of(user) for end in range(step, len(seat.path) + 1, step)}


def postings_visible_to(*, user) -> QuerySet[PublicPosting]:
    """The public postings of the units concerned: those posted at or above the user's seats (the posting unit's
    subtree reads its list) and those of the units in the user's scope, newest first."""
    postings = PublicPosting.objects.select_related("dossier__award_type", "unit").order_by("-opens_on", "-pk")
    if getattr(user, "is_superuser", False):
        return postings
    return postings.filter(Q(unit__path__in=_lineage_paths(user)) | Q(unit__in=units_in_scope(user=user)))


def posting_get_visible(*, user, pk: int) -> PublicPosting:
    """Return the posting if the user's units are concerned by it, else 404."""
    return get_object_or_404(postings_visible_to(user=user), pk=pk)


def posting_seat_unit_id(*, user, posting: PublicPosting) -> int | None:
    """The unit the user comments from: their first seat at, under or above the posting unit (None: no seat)."""
    path = posting.unit.path
    return next(
        (seat.unit_id for seat in seats_of(user) if seat.path.startswith(path) or path.startswith(seat.path)), None
    )


def may_read_posting_comments(*, user, posting: PublicPosting) -> bool:
    """The posting unit's appraisers, council secretaries and heads read every comment received."""
    return any(holds_role(user=user, unit_id=posting.unit_id, role=role) for role in STAGE_ROLES)


def posting_comments(*, user, posting: PublicPosting) -> QuerySet[PostingComment]:
    """The comments of the posting the user may read: all of them for its unit's officers, else their own."""
    comments = posting.comments.select_related("author", "author_unit").order_by("received_at", "pk")
    if may_read_posting_comments(user=user, posting=posting):
        return comments
    return comments.filter(author_id=user.pk)


def posting_of(*, dossier: Dossier) -> PublicPosting | None:
    """The dossier's latest posting with its number of comments (shown on its page and to the council), or None."""
    return (
        PublicPosting.objects.filter(dossier=dossier)
        .select_related("unit")
        .annotate(comment_count=Count("comments"))
        .order_by("-opens_on", "-pk")
        .first()
    )


REGISTER_ROLES = (Role.APPROVER, Role.AUDITOR)


def may_read_register(*, user) -> bool:
    """Approvers and auditors read the award register (of the dossiers in their scope); superusers too."""
    return getattr(user, "is_superuser", False) or any(seat.role in REGISTER_ROLES for seat in seats_of(user))


def award_register(*, user, filters: dict) -> QuerySet[AwardRecord]:
    """The awards the user's decisions scope covers, newest decision first, filtered by the register's search."""
    records = AwardRecord.objects.filter(decision__dossier_id__in=dossier_ids_visible_to(user=user))
    if filters.get("name"):
        records = records.filter(subject_name__icontains=filters["name"])
    if filters.get("unit"):
        unit = filters["unit"]
        records = records.filter(
            Q(decision__dossier__originating_unit__name__icontains=unit) | Q(issuer__icontains=unit)
        )
    for key, lookup in (
        ("award_type", "award_type"),
        ("year", "year"),
        ("campaign", "decision__dossier__campaign"),
        ("subject_type", "subject_type"),
    ):
        if filters.get(key):
            records = records.filter(**{lookup: filters[key]})
    if filters.get("status") == "revoked":
        records = records.filter(revocation__isnull=False)
    elif filters.get("status") == "valid":
        records = records.filter(revocation__isnull=True)
    return records.select_related(
        "award_type", "revocation", "decision__dossier__originating_unit", "decision__dossier__campaign"
    ).order_by("-decision_date", "-decision_id", "golden_book_number", "pk")


def revocations_of(*, decision: Decision | None) -> list:
    if decision is None:
        return []
    return list(decision.revocations.annotate(awards=Count("records")).order_by("revoked_on", "pk"))


def awards_in_force(*, decision: Decision) -> QuerySet[AwardRecord]:
    return AwardRecord.objects.filter(decision=decision, revocation__isnull=True).order_by("golden_book_number")


def may_see_full_national_id(*, user, dossier: Dossier) -> bool:
    """Tell whether the user's role needs the full citizen ID numbers of this dossier's nominees (architecture §4):
    the submitters of the originating unit, the officers of a stage on the route, and auditors over their subtree."""
    if holds_role(user=user, unit_id=dossier.originating_unit_id, role=Role.SUBMITTER):
        return True
    seats = seats_of(user)
    route_units = {stop.unit_id for stop in dossier.route_stops.all()}
    if any(seat.unit_id in route_units and seat.role in STAGE_ROLES for seat in seats):
        return True
    auditor_paths = [seat.path for seat in seats if seat.role == Role.AUDITOR]
    return any(dossier.originating_unit.path.startswith(path) for path in auditor_paths)


def award_types_active() -> QuerySet[AwardType]:
    return AwardType.objects.filter(is_active=True).order_by("-deciding_level", "code")


def award_types_on_route(*, unit) -> tuple[QuerySet[AwardType], list[tuple[AwardType, str]]]:
    """Split the active award types into those whose deciding authority ``unit``'s route reaches, and the others
    with the reason (e.g. no unit of that branch serves the locality)."""
    offered, unavailable = [], []
    for award_type in award_types_active():
        try:
            routing.compute_route(originating_unit=unit, award_type=award_type)
        except ValidationError as error:
            unavailable.append((award_type, " ".join(error.messages)))
        else:
            offered.append(award_type.pk)
    return award_types_active().filter(pk__in=offered), unavailable


def campaigns_open() -> QuerySet[Campaign]:
    return Campaign.objects.filter(is_active=True).select_related("launching_unit").order_by("-period_start")


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.order_by("-period_start", "pk")


def document_kinds() -> QuerySet[DocumentKind]:
    return DocumentKind.objects.order_by("code")


def submitter_units(*, user):
    """Return the units where the user may draft dossiers."""
    return units_with_role(user=user, role=Role.SUBMITTER)
