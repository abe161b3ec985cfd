"""Scoped reads of dossiers, nominees, attachments and the catalogue.

A member sees a dossier that originates in, or is routed through, the units of their scope
(``org_hierarchy.selectors.units_in_scope``, one indexed subtree query used as a subquery); a draft is seen only
by those who may draft or administer at its originating unit. Anything else is a 404, so ids cannot be probed.
"""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from org_hierarchy.models import Role
from org_hierarchy.selectors import holds_role, seats_of, units_in_scope, units_with_role

from .models import Attachment, AwardType, Campaign, Decision, DocumentKind, Dossier, DossierStatus, Nominee, RouteStop

# Roles that see full citizen ID numbers on the units where they hold them (architecture §4): the submitters of
# the originating unit, the officers of a stage on the route, and auditors over their subtree.
FULL_ID_STAGE_ROLES = (Role.APPRAISER, Role.SECRETARY, Role.APPROVER)


def dossier_list_visible_to(*, user) -> QuerySet[Dossier]:
    """Return the dossiers the user may see, with what list pages show already joined and counted."""
    scope = units_in_scope(user=user)
    drafting_scope = units_in_scope(user=user, roles=[Role.SUBMITTER, Role.ADMIN, Role.AUDITOR])
    routed = RouteStop.objects.filter(dossier=OuterRef("pk"), unit__in=scope.values("pk"))
    visible = (Q(originating_unit__in=scope.values("pk")) | Exists(routed)) & ~Q(status=DossierStatus.DRAFT)
    drafts = Q(status=DossierStatus.DRAFT, originating_unit__in=drafting_scope.values("pk"))
    nominee_counts = (
        Nominee.objects.filter(dossier=OuterRef("pk")).order_by().values("dossier").annotate(n=Count("pk")).values("n")
    )
    return (
        Dossier.objects.filter(visible | drafts)
        .select_related("originating_unit", "award_type", "campaign", "current_stage_unit")
        .annotate(nominee_count=Coalesce(Subquery(nominee_counts), 0))
        .order_by("-created_at", "-pk")
    )


def dossier_get_visible(*, user, pk) -> Dossier:
    """Return the dossier if the user's scope covers it; 404 otherwise, so ids cannot be probed."""
    return get_object_or_404(dossier_list_visible_to(user=user), pk=pk)


def dossier_list_for_unit(*, user, unit_id: int) -> QuerySet[Dossier]:
    """Return the visible dossiers that originate at one unit."""
    return dossier_list_visible_to(user=user).filter(originating_unit_id=unit_id)


def nominee_list(*, dossier: Dossier) -> QuerySet[Nominee]:
    return dossier.nominees.select_related("collective_unit", "outcome_stage_unit", "outcome_by").order_by(
        "list_position", "pk"
    )


def nominee_get(*, dossier: Dossier, pk) -> Nominee:
    return get_object_or_404(nominee_list(dossier=dossier), pk=pk)


def attachment_list(*, dossier: Dossier) -> QuerySet[Attachment]:
    return dossier.attachments.select_related("kind", "uploaded_by").order_by("kind__code", "pk")


def attachment_get(*, dossier: Dossier, pk) -> Attachment:
    return get_object_or_404(attachment_list(dossier=dossier), pk=pk)


def route_of(*, dossier: Dossier) -> QuerySet[RouteStop]:
    return dossier.route_stops.select_related("unit").order_by("position")


def decision_of(*, dossier: Dossier) -> Decision | None:
    return Decision.objects.filter(dossier=dossier).select_related("issuer_unit", "signer", "acting_for").first()


def may_see_full_national_id(*, user, dossier: Dossier) -> bool:
    """Tell whether the user's role needs the full citizen ID numbers of this dossier's nominees."""
    if holds_role(user=user, unit_id=dossier.originating_unit_id, role=Role.SUBMITTER):
        return True
    seats = seats_of(user)
    route_units = {stop.unit_id for stop in dossier.route_stops.all()}
    if any(seat.unit_id in route_units and seat.role in FULL_ID_STAGE_ROLES for seat in seats):
        return True
    auditor_paths = [seat.path for seat in seats if seat.role == Role.AUDITOR]
    return any(dossier.originating_unit.path.startswith(path) for path in auditor_paths)


def award_types_active() -> QuerySet[AwardType]:
    return AwardType.objects.filter(is_active=True).order_by("-deciding_level", "code")


def campaigns_open() -> QuerySet[Campaign]:
    return Campaign.objects.filter(is_active=True).select_related("launching_unit").order_by("-period_start")


def document_kinds() -> QuerySet[DocumentKind]:
    return DocumentKind.objects.order_by("code")


def submitter_units(*, user):
    """Return the units where the user may draft dossiers."""
    return units_with_role(user=user, role=Role.SUBMITTER)
