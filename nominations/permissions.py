"""Who may do what to a dossier: the checks every service runs before it writes.

Each check reads the actor's memberships cached on the user object (``org_hierarchy.selectors.seats_of``), so a
check costs no query after the first. Failures raise ``PermissionDenied`` with a translated message.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists
from django.utils.translation import gettext_lazy as _

from org_hierarchy.models import OrgUnit, Role
from org_hierarchy.selectors import holds_role, seats_of

from .models import Dossier, Nominee, RouteStop

NOT_A_SUBMITTER = _("Only a submitter of the originating unit can do this.")
NOT_A_STAGE_OFFICER = _("Only an officer of this stage unit can do this.")
NOT_ON_ROUTE = _("This unit is not a stage of the dossier's route.")
OWN_DOSSIER = _("You cannot act at a stage on a dossier you submitted or that names you.")

NOT_AN_ADMINISTRATOR = _("Only an administrator can do this.")

STAGE_ROLES = (Role.APPRAISER, Role.SECRETARY, Role.APPROVER)


def is_submitter(*, user, unit_id: int) -> bool:
    return holds_role(user=user, unit_id=unit_id, role=Role.SUBMITTER)


def ensure_submitter(*, user, dossier: Dossier) -> None:
    """Refuse anyone who is not a submitter at the dossier's originating unit."""
    if not is_submitter(user=user, unit_id=dossier.originating_unit_id):
        raise PermissionDenied(NOT_A_SUBMITTER)


def ensure_stage_officer(*, user, dossier: Dossier, stage_unit: OrgUnit, roles=STAGE_ROLES) -> None:
    """Refuse anyone who does not hold one of ``roles`` at a stage unit on the dossier's route.

    Separation of duties (architecture §4): the dossier's creator and any nominee with an account never act on it.
    """
    if not any(holds_role(user=user, unit_id=stage_unit.pk, role=role) for role in roles):
        raise PermissionDenied(NOT_A_STAGE_OFFICER)
    # Both facts in one statement: a step runs this check once or twice.
    on_route, named = (
        Dossier.objects.filter(pk=dossier.pk)
        .annotate(
            on_route=Exists(RouteStop.objects.filter(dossier_id=dossier.pk, unit_id=stage_unit.pk)),
            named=Exists(Nominee.objects.filter(dossier_id=dossier.pk, user_id=user.pk)),
        )
        .values_list("on_route", "named")
        .get()
    )
    if not on_route:
        raise PermissionDenied(NOT_ON_ROUTE)
    if dossier.created_by_id == user.pk or named:
        raise PermissionDenied(OWN_DOSSIER)


def ensure_administrator(*, user) -> None:
    """Refuse anyone who administers no unit (award history and catalogue are shared across units)."""
    if not (user.is_superuser or any(seat.role == Role.ADMIN for seat in seats_of(user))):
        raise PermissionDenied(NOT_AN_ADMINISTRATOR)
