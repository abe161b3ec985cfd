"""Who may do what to a dossier: the checks every service runs before it writes.

Each check reads the actor's memberships cached on the user object (``org_hierarchy.selectors.seats_of``), so a
check costs no query after the first. Failures raise ``PermissionDenied`` with a translated message.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from org_hierarchy.models import OrgUnit, Role
from org_hierarchy.roles import STAGE_ROLES
from org_hierarchy.selectors import holds_role, seats_of

from .models import Dossier, Nominee, RouteStop

NOT_A_SUBMITTER = _("Only a submitter of the originating unit can do this.")
NOT_A_STAGE_OFFICER = _("Only an officer of this stage unit can do this.")
NOT_ON_ROUTE = _("This unit is not a stage of the dossier's route.")
NOT_THE_AUTHORITY = _("Only the deciding authority at the end of the route can issue the decision.")
NOT_A_FORWARDING_STAGE = _("A submission letter goes from a stage of the route to the next one.")
OWN_DOSSIER = _("You cannot act at a stage on a dossier you submitted or that names you.")

NOT_AN_ADMINISTRATOR = _("Only an administrator can do this.")


def is_submitter(*, user, unit_id: int) -> bool:
    return holds_role(user=user, unit_id=unit_id, role=Role.SUBMITTER)


def ensure_submitter(*, user, dossier: Dossier) -> None:
    """Refuse anyone who is not a submitter at the dossier's originating unit."""
    if not is_submitter(user=user, unit_id=dossier.originating_unit_id):
        raise PermissionDenied(NOT_A_SUBMITTER)


# Separation of duties (architecture §4): the parties to a dossier, its submitter and the nominees with an account,
# never act on it at a stage. The reads below ask that one rule for one dossier, for one user's dossiers, and for a
# dossier's parties; ``ensure_stage_officer`` asks it inside its own statement.


def _named(*, user_id: int) -> QuerySet[Nominee]:
    return Nominee.objects.filter(user_id=user_id)


def is_party_to_dossier(*, user, dossier_id: int) -> bool:
    """Tell whether the user submitted the dossier or is named in it (separation of duties)."""
    return Dossier.objects.filter(Q(created_by=user) | Q(nominees__user=user), pk=dossier_id).exists()


def dossier_ids_party_to(*, user) -> QuerySet:
    """Return the ids of the dossiers the user submitted or is named in, each part read from its own index."""
    named = _named(user_id=user.pk).values("dossier")
    return Dossier.objects.filter(created_by=user).values("pk").union(named)


def users_party_to(*, dossier_id: int) -> QuerySet:
    """Return the ids of the dossier's submitter and of the nominees' user accounts, for exclusion.

    Each part is read by its own index; as one ``OR`` over a join of the users to the nominees, PostgreSQL read
    every nominee of every dossier on each task announcement. Nominees without an account are left out, so the
    set holds no NULL for a ``NOT IN`` to trip over.
    """
    named = Nominee.objects.filter(dossier_id=dossier_id, user__isnull=False).values("user_id")
    return Dossier.objects.filter(pk=dossier_id).values("created_by_id").union(named, all=True)


def ensure_stage_officer(
    *,
    user,
    dossier: Dossier,
    stage_unit: OrgUnit,
    roles=STAGE_ROLES,
    forwarding_to: OrgUnit | None = None,
    deciding=False,
) -> None:
    """Refuse anyone who does not hold one of ``roles`` at a stage unit on the dossier's route.

    Separation of duties (architecture §4): the dossier's creator and any nominee with an account never act on it.
    With ``forwarding_to``, that unit must also be a later stop of the route (``NOT_A_FORWARDING_STAGE``); with
    ``deciding``, the stage must be the route's last, the deciding authority (``NOT_THE_AUTHORITY``). Every fact
    is read in one statement.
    """
    if not any(holds_role(user=user, unit_id=stage_unit.pk, role=role) for role in roles):
        raise PermissionDenied(NOT_A_STAGE_OFFICER)
    stops = RouteStop.objects.filter(dossier_id=dossier.pk)
    position = stops.filter(unit_id=stage_unit.pk).values("position")[:1]
    facts = {
        "on_route": Exists(stops.filter(unit_id=stage_unit.pk)),
        "named": Exists(_named(user_id=user.pk).filter(dossier_id=dossier.pk)),
    }
    if forwarding_to is not None:
        facts["forwards"] = Exists(stops.filter(unit_id=forwarding_to.pk, position__gt=Subquery(position)))
    if deciding:
        facts["later"] = Exists(stops.filter(position__gt=Subquery(position)))
    found = Dossier.objects.filter(pk=dossier.pk).values(**facts).get()
    if deciding and (not found["on_route"] or found["later"]):
        raise PermissionDenied(NOT_THE_AUTHORITY)
    if not found["on_route"]:
        raise PermissionDenied(NOT_ON_ROUTE)
    if dossier.created_by_id == user.pk or found["named"]:
        raise PermissionDenied(OWN_DOSSIER)
    if forwarding_to is not None and not found["forwards"]:
        raise ValidationError(NOT_A_FORWARDING_STAGE, code="not_forwarding")


def ensure_administrator(*, user) -> None:
    """Refuse anyone who administers no unit (award history and catalogue are shared across units)."""
    if not (user.is_superuser or any(seat.role == Role.ADMIN for seat in seats_of(user))):
        raise PermissionDenied(NOT_AN_ADMINISTRATOR)
