"""Field-level history for the auditor's timeline: what changed between consecutive historical records.

Works on any model registered with django-simple-history (``history = HistoricalRecords()`` or
``simple_history.register``). Records are read in one query per model and compared in memory with
``diff_against``, so a timeline over many objects costs no query per record.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: object
    new: object
    # For a foreign key, the model its ``old`` and ``new`` ids point to (the timeline names them).
    related: type[models.Model] | None = None


@dataclass(frozen=True)
class HistoryStep:
    """One historical record of one object and how it differs from the record before it."""

    record: models.Model
    object_id: object
    at: datetime.datetime
    user_id: int | None
    user_name: str
    reason: str
    kind: str  # simple-history's history_type: "+" created, "~" changed, "-" deleted
    changes: tuple[FieldChange, ...]


def steps_from_records(records: Iterable[models.Model], *, excluded_fields: Iterable[str] = ()) -> list[HistoryStep]:
    """Return one step per historical record, each with its field changes against the same object's previous one.

    ``records`` may mix objects of one model; they are ordered here by date then history id.
    """
    excluded = list(excluded_fields)
    ordered = sorted(records, key=lambda record: (record.history_date, record.history_id))
    previous: dict[object, models.Model] = {}
    steps = []
    for record in ordered:
        object_id = getattr(record, record.instance_type._meta.pk.attname)
        before = previous.get(object_id)
        changes: tuple[FieldChange, ...] = ()
        if before is not None and record.history_type == "~":
            delta = record.diff_against(before, excluded_fields=excluded)
            changes = tuple(_field_change(record.instance_type, change) for change in delta.changes)
        previous[object_id] = record
        user = record.history_user if record.history_user_id else None
        steps.append(
            HistoryStep(
                record=record,
                object_id=object_id,
                at=record.history_date,
                user_id=record.history_user_id,
                user_name=user.get_full_name() if user else "",
                reason=record.history_change_reason or "",
                kind=record.history_type,
                changes=changes,
            )
        )
    return steps


def _field_change(model: type[models.Model], change) -> FieldChange:
    field = model._meta.get_field(change.field)
    return FieldChange(
        field=change.field,
        label=str(field.verbose_name),
        old=change.old,
        new=change.new,
        related=field.related_model if field.many_to_one else None,
    )


def history_of(model: type[models.Model], object_ids: Iterable, **filters) -> list[HistoryStep]:
    """Return the history steps of the given objects of ``model``, oldest first, in one query."""
    records = model.history.filter(**{f"{model._meta.pk.attname}__in": list(object_ids)}, **filters).select_related(
        "history_user"
    )
    return steps_from_records(records)
