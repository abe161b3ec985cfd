"""What every nominations service does around its write: lock, save with history, refresh the digest, record."""

import functools
import threading
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from audit import services as audit_services
from org_hierarchy.models import Level, OrgUnit

from .. import listeners
from ..digest import dossier_digest
from ..models import Dossier, Nominee

DIGEST_FIELDS = ["version", "version_digest", "updated_at"]
# Whether this thread runs inside ``one_transaction()`` (a workflow step's block); see ``service_transaction``.
_step = threading.local()

REASON_REQUIRED = _("Please give a reason.")
NOT_EDITABLE = _("This dossier is locked: it can only be changed as a draft or after it is returned for supplement.")


@contextmanager
def one_transaction():
    """Run the services called inside without savepoints of their own (the flow lock's block of a workflow step).

    The caller's transaction is rolled back whole on any error (a refused step rolls back its request), so a
    service's savepoint would cost two statements and keep nothing.
    """
    outer = getattr(_step, "active", False)
    _step.active = True
    try:
        yield
    finally:
        _step.active = outer


def service_transaction(func):
    """Run the service in a transaction: its own savepoint when called alone, none inside ``one_transaction()``.

    Called alone (a view, a command, a test), a refused call rolls back its own writes and the caller's
    transaction goes on; inside a step, the step's transaction is the one that rolls back.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with transaction.atomic(savepoint=not getattr(_step, "active", False)):
            return func(*args, **kwargs)

    return wrapper


def save_tracked(instance: models.Model, *, actor, reason: str, update_fields=None, unique_by_lock=False) -> None:
    """Validate and save, leaving the acting user and the reason in the instance's history row.

    A foreign key set to an object the caller already loaded is not looked up again (``full_clean`` would read
    each one to check it exists; the database's constraint still does). Uniqueness and constraints are checked
    as ``full_clean`` checks them, unless ``unique_by_lock``: the caller made the row unique under its locks (a
    number just taken from its counter, a dossier's one decision issued under the dossier's lock after its status
    was checked), so reading whether it exists would find nothing; the database's constraints still hold.
    """
    unchanged = [] if update_fields is None else _unchanged_fields(instance, update_fields)
    instance.full_clean(
        exclude=[*unchanged, *_loaded_relations(instance)], validate_unique=False, validate_constraints=False
    )
    if not unique_by_lock:
        instance.validate_unique(exclude=unchanged)
        instance.validate_constraints(exclude=unchanged)
    instance._change_reason = reason
    instance._history_user = actor
    instance.save(update_fields=update_fields)


def _loaded_relations(instance: models.Model) -> list[str]:
    """The foreign keys of ``instance`` that hold a saved object already in memory, with no choice limit to check."""
    return [
        field.name
        for field in instance._meta.concrete_fields
        if (field.many_to_one or field.one_to_one)
        and field.is_cached(instance)
        and getattr(instance, field.name) is not None
        and getattr(instance, field.name).pk is not None
        and not field.get_limit_choices_to()
    ]


def _unchanged_fields(instance: models.Model, update_fields) -> list[str]:
    return [
        f.name for f in instance._meta.concrete_fields if f.name not in update_fields and f.attname not in update_fields
    ]


def lock_dossier(dossier: Dossier) -> Dossier:
    """Re-read the dossier with a row lock, so concurrent edits of one dossier run one after the other.

    ``of=("self",)`` locks the dossier row only: without it PostgreSQL also locks the joined award type and unit,
    which would queue every dossier of the same award behind one another.
    """
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("award_type", "originating_unit")
        .get(pk=dossier.pk)
    )


def ensure_editable(dossier: Dossier) -> None:
    if not dossier.is_editable:
        raise ValidationError(NOT_EDITABLE, code="dossier_locked")


def apply_digest(dossier: Dossier) -> bool:
    """Recompute the version digest on the instance; on a real change bump the version. Return whether it changed.

    The caller saves ``version`` and ``version_digest`` together with its own change, so one edit is one
    history row.
    """
    digest = dossier_digest(dossier)
    if digest == dossier.version_digest:
        return False
    if dossier.version_digest:
        dossier.version += 1
    dossier.version_digest = digest
    return True


def refresh_digest(dossier: Dossier, *, actor, reason: str) -> bool:
    """Recompute the digest after a change of the dossier's nominees or files, and save it if it changed."""
    changed = apply_digest(dossier)
    if changed:
        save_tracked(dossier, actor=actor, reason=reason, update_fields=DIGEST_FIELDS)
    return changed


def nominees_close(
    nominees: list[Nominee], *, outcome: str, actor, stage_unit: OrgUnit | None, reasons, change_reason: str, **values
) -> None:
    """Give locked, pending nominees their outcome (awarded, dropped, rejected, withdrawn), with who and where.

    ``reasons`` is one reason for all, a reason per nominee id, or None to leave the reasons as they are; ``values``
    are further fields all of them take (the decision). What every nominee shares goes in one UPDATE of their rows
    (``bulk_update`` would build a CASE per row and field: seconds for a thousand nominees); differing reasons
    follow in one ``bulk_update``, which also writes the history rows, else the history rows go in one INSERT.
    """
    if not nominees:
        return
    at = timezone.now()
    shared = {"outcome": outcome, "outcome_stage_unit": stage_unit, "outcome_by": actor, "outcome_at": at, **values}
    distinct = set(reasons.values()) if isinstance(reasons, dict) else {reasons}
    each_own = len(distinct) > 1
    if not each_own and None not in distinct:
        shared["outcome_reason"] = next(iter(distinct))
    Nominee.objects.filter(pk__in=[nominee.pk for nominee in nominees]).update(**shared)
    for nominee in nominees:
        for name, value in shared.items():
            setattr(nominee, name, value)
        if each_own:
            nominee.outcome_reason = reasons[nominee.pk]
    bulk_update_with_history(
        nominees,
        Nominee,
        ["outcome_reason"] if each_own else [],
        default_user=actor,
        default_change_reason=change_reason,
        default_date=at,
    )


def record(event, *, dossier: Dossier, actor, role: str = "", stage_unit: OrgUnit | None = None, **kwargs):
    """Write the ledger entry of a dossier transition in the caller's transaction and tell the listeners
    (``listeners``) in it."""
    entry = audit_services.record(
        event,
        actor=actor,
        unit=stage_unit or dossier.originating_unit,
        subject=dossier,
        version_digest=dossier.version_digest,
        role=role,
        stage=Level(stage_unit.level).slug if stage_unit is not None else "",
        **kwargs,
    )
    listeners.announce(event, dossier=dossier, stage_unit=stage_unit, data=kwargs.get("data") or {})
    return entry
