"""The timeline of one subject (a dossier): its ledger entries, field changes and workflow steps, in time order.

``audit`` imports no domain app, so the apps that own the subject register what the timeline needs from their
``AppConfig.ready``: ``register_subject`` names the model, its key in the URL and the scoped lookup that turns a
user and an id into the subject (404 outside the user's scope); ``register_source`` adds a function that returns
the subject's entries of one kind (field changes of the dossier and its nominees, workflow steps…). The ledger's
own entries about the subject are added here. Every source must cost a constant number of queries, so the page
does too, whatever the length of the history.
"""

import bisect
import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .history import FieldChange, HistoryStep
from .models import LedgerEntry
from .selectors import ledger_entries_about


class Kind:
    """What a timeline entry is; also its rank among entries of the same instant (the act, then its effects)."""

    CHANGE = "change"
    LEDGER = "ledger"
    STEP = "step"


_RANK = {Kind.CHANGE: 0, Kind.LEDGER: 1, Kind.STEP: 2}

# What happened to a record; "Created" alone is a date column's header in Django's and viewflow's catalogues.
CHANGE_TITLES = {
    "+": pgettext_lazy("a record was", "Created"),
    "~": pgettext_lazy("a record was", "Changed"),
    "-": pgettext_lazy("a record was", "Deleted"),
}


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a timeline; sources fill what they know, the rest stays empty."""

    at: datetime.datetime
    kind: str
    title: str
    object_text: str = ""
    actor: str = ""
    unit: str = ""
    role: str = ""
    reason: str = ""
    outcome: str = ""
    changes: tuple[FieldChange, ...] = ()
    version: int | None = None
    version_digest: str = ""
    sequence: int | None = None
    started_at: datetime.datetime | None = None
    order: int = 0
    # Who acted, as recorded (no "for …"): the key that ties field changes and steps to their act.
    actor_key: str = ""


@dataclass(frozen=True)
class TimelineAct:
    """A line of the grouped timeline: an act with what it changed and the step it finished, or a lone entry."""

    entry: TimelineEntry
    changes: tuple[TimelineEntry, ...] = ()
    steps: tuple[TimelineEntry, ...] = ()


# An act's field changes and step are written in its transaction: within moments of its ledger entry.
SAME_ACT = datetime.timedelta(seconds=5)


Source = Callable[[models.Model], Iterable[TimelineEntry]]
Resolver = Callable[..., models.Model]


@dataclass(frozen=True)
class _Subject:
    key: str
    model: type[models.Model]
    resolve: Resolver


_subjects: dict[str, _Subject] = {}
_sources: dict[type[models.Model], list[Source]] = defaultdict(list)


def register_subject(model: type[models.Model], *, key: str, resolve: Resolver) -> None:
    """Offer a timeline for ``model`` at ``/audit/timeline/<key>/<id>/``.

    ``resolve(user=, pk=)`` returns the instance if the user's scope covers it and raises ``Http404`` otherwise.
    """
    _subjects[key] = _Subject(key=key, model=model, resolve=resolve)


def register_source(model: type[models.Model], source: Source) -> None:
    """Add ``source(subject)`` to the timeline of ``model``; registering the same function twice has no effect."""
    if source not in _sources[model]:
        _sources[model].append(source)


def _subject_of_model(model: type[models.Model]) -> _Subject | None:
    return next((subject for subject in _subjects.values() if subject.model is model), None)


def subject_get(*, key: str, user, pk: int) -> models.Model:
    """Return the subject the URL names, through its app's scoped lookup; 404 for an unknown key or a foreign id."""
    subject = _subjects.get(key)
    if subject is None:
        raise Http404
    return subject.resolve(user=user, pk=pk)


def url_for(*, subject_type_id: int | None, subject_id: str) -> str:
    """Return the timeline page of a ledger entry's subject, or "" when its model has no timeline."""
    if not subject_type_id or not subject_id.isdigit():
        return ""
    model = ContentType.objects.get_for_id(subject_type_id).model_class()
    subject = _subject_of_model(model) if model else None
    return reverse("audit:timeline", args=[subject.key, int(subject_id)]) if subject else ""


def url_of(instance: models.Model) -> str:
    """Return the timeline page of an instance of a registered model, or ""."""
    subject = _subject_of_model(type(instance))
    return reverse("audit:timeline", args=[subject.key, instance.pk]) if subject else ""


def timeline_of(instance: models.Model) -> list[TimelineEntry]:
    """Return every entry of the instance's timeline, oldest first, with the version each digest stands for."""
    entries = ledger_entries_of(instance)
    for source in _sources.get(type(instance), ()):
        entries.extend(source(instance))
    versions = {entry.version_digest: entry.version for entry in entries if entry.version and entry.version_digest}
    entries = [
        replace(entry, version=versions.get(entry.version_digest)) if entry.version is None else entry
        for entry in _with_names(entries)
    ]
    return sorted(entries, key=lambda entry: (entry.at, _RANK[entry.kind], entry.order))


def acts_of(entries: list[TimelineEntry]) -> list[TimelineAct]:
    """Group each field change and workflow step under the ledger entry of the act that made it.

    An act's changes and step carry the same person and fall within moments of its entry (``SAME_ACT``); each goes
    to the nearest such entry. A change the system made (no person) goes to the nearest act of anyone: it is the
    bookkeeping of a person's act (the stage a forwarded dossier moves to). What no entry claims (a step still
    open, a change made outside a recorded act) stays a line of its own. ``entries`` are in time order, as
    ``timeline_of`` returns them.
    """
    acts_by_actor: dict[str | None, list[int]] = defaultdict(list)
    for index, entry in enumerate(entries):
        if entry.kind == Kind.LEDGER:
            acts_by_actor[entry.actor_key].append(index)
            acts_by_actor[None].append(index)
    times = {actor: [entries[i].at for i in indexes] for actor, indexes in acts_by_actor.items()}

    def nearest(actor, moment) -> int | None:
        candidates = acts_by_actor.get(actor, [])
        position = bisect.bisect_left(times.get(actor, []), moment)
        nearby = [candidates[i] for i in (position - 1, position) if 0 <= i < len(candidates)]
        best = min(nearby, key=lambda i: abs(entries[i].at - moment), default=None)
        return best if best is not None and abs(entries[best].at - moment) <= SAME_ACT else None

    claimed: dict[int, list[TimelineEntry]] = defaultdict(list)
    lone = set()
    for index, entry in enumerate(entries):
        if entry.kind == Kind.LEDGER:
            continue
        best = nearest(entry.actor_key, entry.at)
        if best is None and entry.kind == Kind.CHANGE and not entry.actor_key:
            best = nearest(None, entry.at)
        if best is None:
            lone.add(index)
        else:
            claimed[best].append(entry)
    acts = []
    for index, entry in enumerate(entries):
        if entry.kind == Kind.LEDGER:
            effects = claimed.get(index, [])
            acts.append(
                TimelineAct(
                    entry=entry,
                    changes=tuple(e for e in effects if e.kind == Kind.CHANGE),
                    steps=tuple(e for e in effects if e.kind == Kind.STEP),
                )
            )
        elif index in lone:
            acts.append(TimelineAct(entry=entry))
    return acts


def _with_names(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """Show the rows a changed foreign key points to by name, not id: one query per model they point to."""
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for entry in entries:
        for change in entry.changes:
            if change.related is not None:
                wanted[change.related].update(value for value in (change.old, change.new) if value is not None)
    if not wanted:
        return entries
    names = {
        model: {pk: str(row) for pk, row in model._base_manager.in_bulk(ids).items()} for model, ids in wanted.items()
    }

    def named(change: FieldChange) -> FieldChange:
        if change.related is None:
            return change
        known = names[change.related]
        return replace(change, old=known.get(change.old, change.old), new=known.get(change.new, change.new))

    return [
        replace(entry, changes=tuple(named(change) for change in entry.changes)) if entry.changes else entry
        for entry in entries
    ]


def ledger_entries_of(instance: models.Model) -> list[TimelineEntry]:
    """The ledger's entries about the instance, in one query."""
    rows = ledger_entries_about(subjects=[instance]).only(
        "sequence",
        "event",
        "occurred_at",
        "actor_name",
        "acting_for_name",
        "role",
        "unit_name",
        "stage",
        "reason",
        "version_digest",
    )
    return [_from_ledger(entry) for entry in rows]


def _from_ledger(entry: LedgerEntry) -> TimelineEntry:
    actor = entry.actor_name or str(_("System"))
    if entry.acting_for_name:
        actor = _("%(actor)s for %(principal)s") % {"actor": actor, "principal": entry.acting_for_name}
    return TimelineEntry(
        at=entry.occurred_at,
        kind=Kind.LEDGER,
        title=entry.get_event_display(),
        actor=actor,
        unit=entry.unit_name,
        role=entry.role_label,
        reason=entry.reason,
        version_digest=entry.version_digest,
        sequence=entry.sequence,
        order=entry.sequence,
        actor_key=entry.actor_name,
    )


def entries_from_history(
    steps: Iterable[HistoryStep], *, describe: Callable[[models.Model], str] = str, reasons: dict | None = None
) -> list[TimelineEntry]:
    """Turn ``audit.history`` steps into timeline entries; records that change no shown field are left out.

    ``describe(record)`` names the object (the record itself, so no query is made); a record that carries a
    ``version`` and a ``version_digest`` (the dossier) ties that digest to its version number. ``reasons`` gives
    the words for the reasons the app's services record (stored untranslated).
    """
    reasons = reasons or {}
    entries = []
    for step in steps:
        if step.kind == "~" and not step.changes:
            continue
        record = step.record
        entries.append(
            TimelineEntry(
                at=step.at,
                kind=Kind.CHANGE,
                title=f"{record.instance_type._meta.verbose_name.capitalize()}: {CHANGE_TITLES[step.kind]}",
                object_text=describe(record),
                actor=step.user_name,
                reason=str(reasons.get(step.reason, step.reason)),
                changes=tuple(_readable(record.instance_type, change) for change in step.changes),
                version=getattr(record, "version", None),
                version_digest=getattr(record, "version_digest", "") or "",
                order=record.history_id,
                actor_key=step.user_name,
            )
        )
    return entries


def _readable(model: type[models.Model], change: FieldChange) -> FieldChange:
    """Show a choice field's labels rather than its stored codes."""
    field = model._meta.get_field(change.field)
    if not field.choices:
        return change
    labels = dict(field.flatchoices)
    return replace(change, old=labels.get(change.old, change.old), new=labels.get(change.new, change.new))
