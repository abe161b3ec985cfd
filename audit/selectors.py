"""Scoped reads for the auditor's workspace.

An auditor reads the ledger of the subtrees where they hold the auditor role, and of the units where they hold
any other role. Entries without a unit (catalogue changes, imports) belong to the whole system: only auditors
of a root unit see them.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from org_hierarchy.models import OrgUnit, Role
from org_hierarchy.selectors import seats_of, units_in_scope

from .facets import outcome_condition
from .models import LedgerEntry, PersonalDataAccess, VerificationRun


def is_auditor(*, user) -> bool:
    """Tell whether the user may open the auditor's workspace (an auditor seat, or a superuser)."""
    return getattr(user, "is_superuser", False) or any(seat.role == Role.AUDITOR for seat in seats_of(user))


def is_auditor_only(*, user) -> bool:
    """Tell whether every seat the user holds is an auditor seat (superusers are administrators, not auditors)."""
    if getattr(user, "is_superuser", False):
        return False
    seats = seats_of(user)
    return bool(seats) and all(seat.role == Role.AUDITOR for seat in seats)


def audited_units(*, user) -> QuerySet[OrgUnit]:
    """Return the units whose records the user may read as an auditor."""
    if getattr(user, "is_superuser", False):
        return OrgUnit.objects.all()
    own_units = [seat.unit_id for seat in seats_of(user)]
    return units_in_scope(user=user, roles=[Role.AUDITOR]) | OrgUnit.objects.filter(pk__in=own_units)


def _sees_system_entries(user) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return any(seat.role == Role.AUDITOR and len(seat.path) == OrgUnit.steplen for seat in seats_of(user))


def _scope_condition(user) -> Q:
    condition = Q(unit__in=audited_units(user=user).values("pk"))
    if _sees_system_entries(user):
        condition |= Q(unit__isnull=True)
    return condition


def ledger_entry_list(
    *,
    user,
    unit: OrgUnit | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    actor: str = "",
    event: str = "",
    award_type: str = "",
    campaign: str = "",
    outcome: str = "",
) -> QuerySet[LedgerEntry]:
    """Return the ledger entries the user may read, newest first, narrowed by the search filters.

    ``unit`` takes its whole subtree; the period is in local dates, both ends included; ``actor`` matches part of
    the actor's name as recorded; ``award_type`` and ``campaign`` are the ids ``audit.facets`` stored, ``outcome``
    a nominee outcome the entry recorded for any of its nominees.
    """
    entries = LedgerEntry.objects.filter(_scope_condition(user))
    if unit is not None:
        entries = entries.filter(unit__path__startswith=unit.path)
    if date_from:
        entries = entries.filter(occurred_at__gte=_local_midnight(date_from))
    if date_to:
        entries = entries.filter(occurred_at__lt=_local_midnight(date_to + datetime.timedelta(days=1)))
    if actor:
        entries = entries.filter(actor_name__icontains=actor)
    if event:
        entries = entries.filter(event=event)
    if award_type:
        entries = entries.filter(award_type=award_type)
    if campaign:
        entries = entries.filter(campaign=campaign)
    if outcome:
        entries = entries.filter(outcome_condition(outcome))
    return entries.order_by("-sequence")


def ledger_entries_about(*, subjects) -> QuerySet[LedgerEntry]:
    """Return the entries about any of ``subjects`` (model instances), oldest first, for a timeline.

    No scope is applied: the caller has already fetched the subjects through its own scoped selector (a dossier
    the user may see, and its nominees).
    """
    by_type: dict[int, set[str]] = {}
    for subject in subjects:
        content_type = ContentType.objects.get_for_model(subject)
        by_type.setdefault(content_type.pk, set()).add(str(subject.pk))
    condition = Q(pk__in=[])
    for type_id, ids in by_type.items():
        condition |= Q(subject_type_id=type_id, subject_id__in=ids)
    return LedgerEntry.objects.filter(condition).order_by("sequence")


def personal_data_access_list(*, user) -> QuerySet[PersonalDataAccess]:
    """Return the records of who saw personal data in the units the user audits, newest first."""
    accesses = PersonalDataAccess.objects.select_related("viewer", "unit")
    if getattr(user, "is_superuser", False):
        return accesses
    condition = Q(unit__in=audited_units(user=user).values("pk"))
    if _sees_system_entries(user):
        condition |= Q(unit__isnull=True)
    return accesses.filter(condition)


def verification_last() -> VerificationRun | None:
    """Return the latest verification of the ledger, with who started it."""
    return VerificationRun.objects.select_related("started_by").order_by("-started_at", "-pk").first()


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
