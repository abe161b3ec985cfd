"""Eligibility rules: data on the award type, evaluated by a registry of small functions.

``AwardType.rules`` is a list of specifications such as
``{"rule": "consecutive_titles", "award_codes": ["cstd_co_so"], "years": 3, "alternatives": [...]}``.
The rules in ``DEFAULT_RULES`` apply to every award type (they encode principles of Decree 98/2023 Art 4 and Law
06/2022 Art 84); a specification with the same name on the award type replaces the default's parameters.
Each rule returns one result per nominee it checks (or one for the dossier), passing or failing, with a
translated reason the submitter reads.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import LIVE_STATUSES, AwardRecord, AwardType, Dossier, Nominee, NomineeOutcome, SubjectType
from .routing import compute_route

DEFAULT_RULES = (
    {"rule": "has_nominees"},
    {"rule": "subject_type_allowed"},
    {"rule": "required_documents_present"},
    {"rule": "not_blocked"},
    {"rule": "no_duplicate_nomination"},
    {"rule": "route_computable"},
    {"rule": "campaign_period"},
    {"rule": "campaign_deadline"},
)


@dataclass(frozen=True)
class RuleResult:
    rule: str
    passed: bool
    reason: str
    nominee_id: int | None = None


@dataclass
class Context:
    """What the rules read, loaded once per evaluation."""

    dossier: Dossier
    nominees: list[Nominee] = field(default_factory=list)

    @cached_property
    def attachment_kind_ids(self) -> set[int]:
        return set(self.dossier.attachments.values_list("kind_id", flat=True))

    @cached_property
    def route(self):
        return compute_route(originating_unit=self.dossier.originating_unit, award_type=self.dossier.award_type)


RuleFunction = Callable[[Context, dict], list[RuleResult]]
REGISTRY: dict[str, RuleFunction] = {}


def register(name: str):
    def decorator(function: RuleFunction) -> RuleFunction:
        REGISTRY[name] = function
        return function

    return decorator


def context_for(dossier: Dossier) -> Context:
    """Load what the rules read about ``dossier``; its ``route`` is computed once, when first read."""
    return Context(dossier=dossier, nominees=list(dossier.nominees.filter(outcome=NomineeOutcome.PENDING)))


def evaluate(*, dossier: Dossier, context: Context | None = None) -> list[RuleResult]:
    """Run the default rules and the award type's own rules; return every result, failures included.

    Pass the ``context`` when the caller reads it afterwards too (the submission stores the route it computed).
    """
    context = context or context_for(dossier)
    specs = {spec["rule"]: spec for spec in DEFAULT_RULES}
    extra = []
    for spec in dossier.award_type.rules or []:
        if spec.get("rule") in specs:
            specs[spec["rule"]] = spec
        else:
            extra.append(spec)
    results: list[RuleResult] = []
    for spec in [*specs.values(), *extra]:
        results.extend(run(context, spec))
    return results


def all_specs(specs) -> list[dict]:
    """Return the specifications and, recursively, their alternatives (for validating a catalogue edit)."""
    found = []
    for spec in specs if isinstance(specs, list) else []:
        if isinstance(spec, dict):
            found.append(spec)
            found.extend(all_specs(spec.get("alternatives", [])))
    return found


def run(context: Context, spec: dict) -> list[RuleResult]:
    """Evaluate one specification; ``"kinds"`` limits it to some commendation kinds (e.g. only the annual track)."""
    if spec.get("kinds") and context.dossier.kind not in spec["kinds"]:
        return []
    function = REGISTRY.get(spec.get("rule", ""))
    if function is None:
        return [RuleResult(str(spec.get("rule")), False, _("Unknown eligibility rule “%(rule)s”.") % spec)]
    return function(context, spec)


@register("has_nominees")
def has_nominees(context: Context, spec: dict) -> list[RuleResult]:
    if context.nominees:
        count = len(context.nominees)
        reason = ngettext("The dossier proposes %(count)d nominee.", "The dossier proposes %(count)d nominees.", count)
        return [RuleResult("has_nominees", True, reason % {"count": count})]
    return [RuleResult("has_nominees", False, _("The dossier proposes no nominee."))]


@register("subject_type_allowed")
def subject_type_allowed(context: Context, spec: dict) -> list[RuleResult]:
    allowed = spec.get("subjects") or context.dossier.award_type.eligible_subjects
    results = []
    for nominee in context.nominees:
        label = SubjectType(nominee.subject_type).label
        values = {"name": nominee.full_name, "subject": str(label).lower()}
        if nominee.subject_type in allowed:
            reason = _("%(name)s: %(subject)s nominees may receive this award.") % values
        else:
            reason = _("%(name)s: this award is not given to %(subject)s nominees.") % values
        results.append(RuleResult("subject_type_allowed", nominee.subject_type in allowed, reason, nominee.pk))
    return results


@register("required_documents_present")
def required_documents_present(context: Context, spec: dict) -> list[RuleResult]:
    required = list(context.dossier.award_type.required_documents.all())
    missing = [kind.name for kind in required if kind.pk not in context.attachment_kind_ids]
    if missing:
        reason = _("Missing documents: %(kinds)s.") % {"kinds": ", ".join(missing)}
        return [RuleResult("required_documents_present", False, reason)]
    return [RuleResult("required_documents_present", True, _("All required documents are attached."))]


@register("not_blocked")
def not_blocked(context: Context, spec: dict) -> list[RuleResult]:
    """Decree 98/2023 Art 4: no one under discipline, investigation or inspection may be proposed."""
    results = []
    for nominee in context.nominees:
        values = {"name": nominee.full_name, "note": nominee.blocking_note or _("no details given")}
        if nominee.under_discipline:
            reason = _("%(name)s is under disciplinary review (%(note)s) and cannot be proposed.") % values
        elif nominee.under_investigation:
            reason = _("%(name)s is under investigation or inspection (%(note)s) and cannot be proposed.") % values
        else:
            results.append(
                RuleResult(
                    "not_blocked", True, _("%(name)s is not under discipline or investigation.") % values, nominee.pk
                )
            )
            continue
        results.append(RuleResult("not_blocked", False, reason, nominee.pk))
    return results


def _identity(nominee) -> tuple[str, str | int] | None:
    """How a person or collective is recognised across dossiers: citizen ID, else the unit it is."""
    if nominee.subject_type == SubjectType.INDIVIDUAL and nominee.national_id:
        return ("national_id", nominee.national_id)
    if nominee.collective_unit_id:
        return ("collective_unit_id", nominee.collective_unit_id)
    return None


@register("no_duplicate_nomination")
def no_duplicate_nomination(context: Context, spec: dict) -> list[RuleResult]:
    """Decree 98/2023 Art 4: one achievement, one award; the same award, campaign and year only once."""
    dossier = context.dossier
    identities = {nominee.pk: _identity(nominee) for nominee in context.nominees}
    national_ids = {value for key, value in filter(None, identities.values()) if key == "national_id"}
    unit_ids = {value for key, value in filter(None, identities.values()) if key == "collective_unit_id"}
    elsewhere: dict[tuple, str] = {}
    if national_ids or unit_ids:
        clashes = (
            Nominee.objects.filter(Q(national_id__in=national_ids) | Q(collective_unit_id__in=unit_ids))
            .filter(
                dossier__award_type_id=dossier.award_type_id,
                dossier__campaign_id=dossier.campaign_id,
                dossier__year=dossier.year,
                dossier__status__in=LIVE_STATUSES,
                outcome__in=(NomineeOutcome.PENDING, NomineeOutcome.AWARDED),
            )
            .exclude(dossier_id=dossier.pk)
            .values_list("national_id", "collective_unit_id", "dossier__title")
        )
        for national_id, unit_id, title in clashes:
            if national_id in national_ids:
                elsewhere.setdefault(("national_id", national_id), title)
            if unit_id in unit_ids:
                elsewhere.setdefault(("collective_unit_id", unit_id), title)
    seen: set[tuple] = set()
    results = []
    for nominee in context.nominees:
        identity = identities[nominee.pk]
        values = {"name": nominee.full_name}
        if identity in elsewhere:
            values["dossier"] = elsewhere[identity]
            reason = _("%(name)s is already proposed for this award and year in the dossier “%(dossier)s”.") % values
            results.append(RuleResult("no_duplicate_nomination", False, reason, nominee.pk))
        elif identity is not None and identity in seen:
            reason = _("%(name)s appears twice in this dossier.") % values
            results.append(RuleResult("no_duplicate_nomination", False, reason, nominee.pk))
        else:
            reason = _("%(name)s is not proposed for this award elsewhere.") % values
            results.append(RuleResult("no_duplicate_nomination", True, reason, nominee.pk))
        if identity is not None:
            seen.add(identity)
    return results


@register("route_computable")
def route_computable(context: Context, spec: dict) -> list[RuleResult]:
    try:
        route = context.route
    except ValidationError as error:
        return [RuleResult("route_computable", False, " ".join(error.messages))]
    reason = _("Route: %(route)s.") % {"route": " → ".join(unit.name for unit in route)}
    return [RuleResult("route_computable", True, reason)]


def _held_years(*, subject_ids: dict[str, set], codes: list[str], first_year: int, last_year: int) -> dict:
    """Return {("national_id"|"collective_unit_id", value): {years}} of matching awards, in one query."""
    condition = Q(national_id__in=subject_ids["national_id"]) | Q(
        collective_unit_id__in=subject_ids["collective_unit_id"]
    )
    rows = AwardRecord.objects.filter(condition, award_type__code__in=codes, year__gte=first_year, year__lte=last_year)
    held: dict[tuple, set[int]] = {}
    for national_id, unit_id, year in rows.values_list("national_id", "collective_unit_id", "year"):
        if national_id:
            held.setdefault(("national_id", national_id), set()).add(year)
        if unit_id:
            held.setdefault(("collective_unit_id", unit_id), set()).add(year)
    return held


def _consecutive_check(context: Context, spec: dict) -> dict[int, bool]:
    """Return {nominee id: whether the spec holds} for the nominees it applies to.

    The run of ``years`` consecutive years must end in the dossier's year or the year before: the grassroots
    title of the current year is often decided just before the higher award is proposed.
    """
    years = int(spec.get("years", 1))
    codes = list(spec.get("award_codes", []))
    subjects = spec.get("subjects") or [SubjectType.INDIVIDUAL]
    last = context.dossier.year
    nominees = [n for n in context.nominees if n.subject_type in subjects and _identity(n) is not None]
    subject_ids = {"national_id": set(), "collective_unit_id": set()}
    for nominee in nominees:
        key, value = _identity(nominee)
        subject_ids[key].add(value)
    held = (
        _held_years(subject_ids=subject_ids, codes=codes, first_year=last - years, last_year=last) if nominees else {}
    )
    outcome = {}
    for nominee in context.nominees:
        if nominee not in nominees:
            outcome[nominee.pk] = nominee.subject_type not in subjects
            continue
        got = held.get(_identity(nominee), set())
        outcome[nominee.pk] = any(all(y in got for y in range(end - years + 1, end + 1)) for end in (last, last - 1))
    return outcome


@register("consecutive_titles")
def consecutive_titles(context: Context, spec: dict) -> list[RuleResult]:
    """Prerequisite titles from the award registry, e.g. CSTĐ tỉnh needs three consecutive CSTĐCS (Law Art 74)."""
    main = _consecutive_check(context, spec)
    alternatives = [_consecutive_check(context, alternative) for alternative in spec.get("alternatives", [])]
    years = int(spec.get("years", 1))
    titles = " / ".join(award.name for award in AwardType.objects.filter(code__in=spec.get("award_codes", [])))
    results = []
    for nominee in context.nominees:
        values = {"name": nominee.full_name, "titles": titles, "years": years}
        if main[nominee.pk]:
            reason = ngettext(
                "%(name)s has held %(titles)s for %(years)d year in a row.",
                "%(name)s has held %(titles)s for %(years)d consecutive years.",
                years,
            )
            results.append(RuleResult("consecutive_titles", True, reason % values, nominee.pk))
        elif any(check[nominee.pk] for check in alternatives):
            reason = _("%(name)s meets an alternative condition to %(titles)s.") % values
            results.append(RuleResult("consecutive_titles", True, reason, nominee.pk))
        else:
            reason = (
                ngettext(
                    "%(name)s has not held %(titles)s for %(years)d year in a row.",
                    "%(name)s has not held %(titles)s for %(years)d consecutive years.",
                    years,
                )
                % values
            )
            if alternatives:
                reason = _("%(reason)s No alternative condition is met either.") % {"reason": reason}
            results.append(RuleResult("consecutive_titles", False, reason, nominee.pk))
    return results


@register("once_per_person")
def once_per_person(context: Context, spec: dict) -> list[RuleResult]:
    """Some awards are given once in a lifetime (Circular 11/2021/TT-BCA: Kỷ niệm chương BVANTQ)."""
    codes = spec.get("award_codes") or [context.dossier.award_type.code]
    identities = {nominee.pk: _identity(nominee) for nominee in context.nominees}
    subject_ids = {"national_id": set(), "collective_unit_id": set()}
    for identity in filter(None, identities.values()):
        subject_ids[identity[0]].add(identity[1])
    held = _held_years(subject_ids=subject_ids, codes=codes, first_year=0, last_year=9999)
    results = []
    for nominee in context.nominees:
        values = {"name": nominee.full_name}
        years = sorted(held.get(identities[nominee.pk], ()))
        if years:
            values["year"] = years[0]
            reason = _("%(name)s already received this award in %(year)d; it is given only once.") % values
            results.append(RuleResult("once_per_person", False, reason, nominee.pk))
        else:
            reason = _("%(name)s has not received this award before.") % values
            results.append(RuleResult("once_per_person", True, reason, nominee.pk))
    return results


def _date(day) -> str:
    """Dates in the project's one format, dd/mm/yyyy, in every language."""
    return formats.date_format(day, "d/m/Y")


@register("campaign_period")
def campaign_period(context: Context, spec: dict) -> list[RuleResult]:
    """A campaign rewards the achievements of its period: the dossier's year must fall within it."""
    dossier = context.dossier
    campaign = dossier.campaign
    if campaign is None:
        return []
    first, last = campaign.period_start.year, campaign.period_end.year if campaign.period_end else None
    values = {"name": campaign.name, "year": dossier.year, "start": _date(campaign.period_start)}
    if last is None:
        period = _("The campaign “%(name)s” runs from %(start)s") % values
    else:
        values["end"] = _date(campaign.period_end)
        period = _("The campaign “%(name)s” runs from %(start)s to %(end)s") % values
    if campaign.legal_basis:
        period = _("%(period)s (%(basis)s)") % {"period": period, "basis": campaign.legal_basis}
    values["period"] = period
    if dossier.year < first or (last is not None and dossier.year > last):
        reason = _("%(period)s: achievements of %(year)d are outside it.") % values
        return [RuleResult("campaign_period", False, reason)]
    return [RuleResult("campaign_period", True, _("%(period)s: achievements of %(year)d count.") % values)]


@register("campaign_deadline")
def campaign_deadline(context: Context, spec: dict) -> list[RuleResult]:
    """A campaign's dossiers are received in its submission window: from its opening day to its deadline.

    A dossier first submitted in time and returned for supplement may be resubmitted after the deadline.
    """
    dossier = context.dossier
    campaign = dossier.campaign
    if campaign is None or (campaign.submission_deadline is None and campaign.submission_opens is None):
        return []
    received = timezone.localdate(dossier.submitted_at) if dossier.submitted_at else timezone.localdate()
    values = {"name": campaign.name}
    if campaign.submission_opens is not None:
        values["opens"] = _date(campaign.submission_opens)
        if received < campaign.submission_opens:
            reason = _("The campaign “%(name)s” receives dossiers from %(opens)s.") % values
            return [RuleResult("campaign_deadline", False, reason)]
    if campaign.submission_deadline is None:
        reason = _("The campaign “%(name)s” has received dossiers since %(opens)s.") % values
        return [RuleResult("campaign_deadline", True, reason)]
    values["date"] = _date(campaign.submission_deadline)
    if received > campaign.submission_deadline:
        reason = _("The campaign “%(name)s” stopped receiving dossiers on %(date)s.") % values
        return [RuleResult("campaign_deadline", False, reason)]
    reason = _("The campaign “%(name)s” receives dossiers until %(date)s.") % values
    return [RuleResult("campaign_deadline", True, reason)]
