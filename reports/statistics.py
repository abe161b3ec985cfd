"""Commendation statistics: nominees counted by outcome, award, subject kind, originating unit and campaign.

Everything is counted in the database, from the dossiers' tallies (``nominations.models.DossierTally``: the
counts of each submitted dossier's nominees by subject kind, group and outcome, with the dossier's year, award
type, campaign, originating unit and submission time, kept by the services; no dossier is joined): one grouped
query adds up the tallies of every (year, award type, subject kind, subject group, unit of the drill-down,
campaign) combination under the filters, and the tables and the chart of awards by year are sums of its rows.
The cost is a fixed number of queries whatever the size of the scope, and a few rows per dossier read
rather than one per nominee. The scope is the dossiers the user may see
(``nominations.selectors.dossier_ids_visible_to``, tested on the tallies by ``tally_visible``); drafts never
count (they have no tally). The nominee lists behind the cells select the nominees with the conditions the
tallies were counted with (``nominations.tallies``).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nominations import tallies
from nominations.models import (
    AwardForm,
    AwardType,
    Campaign,
    CampaignSubjectGroup,
    DossierTally,
    Nominee,
    SubjectType,
)
from nominations.selectors import submitted_dossier_visible, tally_visible
from org_hierarchy.models import Level, OrgUnit, Role
from org_hierarchy.selectors import seats_of

# Who may open the statistics: the officers of a stage, the heads, auditors and unit administrators.
REPORT_ROLES = (Role.APPRAISER, Role.SECRETARY, Role.APPROVER, Role.AUDITOR, Role.ADMIN)
# Years the chart of awards by year goes back from the last one shown.
YEARS_IN_CHART = 10


class Outcome:
    """The columns of every table: what became of the nominees."""

    PROPOSED = "proposed"
    AWARDED = "awarded"
    REVOKED = "revoked"
    PENDING = "pending"
    DROPPED = "dropped"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    ALL = (PROPOSED, AWARDED, REVOKED, PENDING, DROPPED, REJECTED, WITHDRAWN)
    LABELS = {
        PROPOSED: gettext_lazy("Proposed"),
        AWARDED: gettext_lazy("Awarded (in force)"),
        REVOKED: gettext_lazy("Revoked"),
        PENDING: gettext_lazy("In progress"),
        DROPPED: gettext_lazy("Dropped at a stage"),
        REJECTED: gettext_lazy("In rejected dossiers"),
        WITHDRAWN: gettext_lazy("Withdrawn"),
    }

    @staticmethod
    def condition(outcome: str) -> Q:
        """The nominees of one column (``nominations.tallies.condition``, with which the tallies are counted)."""
        return tallies.condition(outcome)


def may_view_statistics(*, user) -> bool:
    """Tell whether the user may open the statistics and the yearly reports (no query: seats are cached)."""
    return bool(getattr(user, "is_superuser", False)) or any(seat.role in REPORT_ROLES for seat in seats_of(user))


@dataclass(frozen=True)
class Criteria:
    """What the counts are restricted to; every field is optional."""

    year: int | None = None
    submitted_from: datetime.date | None = None
    submitted_to: datetime.date | None = None
    campaign: Campaign | None = None
    # Only the dossiers filed under no campaign.
    without_campaign: bool = False
    award_type: AwardType | None = None
    form: str = ""
    subject_type: str = ""
    # One of the campaigns' subject groups, or (``without_group``) the individuals in none.
    subject_group: CampaignSubjectGroup | None = None
    without_group: bool = False
    province_code: str = ""
    # The drill-down: the rows by unit are this unit's children (the tree's roots when None).
    unit: OrgUnit | None = None
    # Only the nominees of dossiers raised by ``unit`` itself, not by its subtree.
    direct: bool = False

    def params(self) -> dict[str, str]:
        """The query string that selects the same nominees (for the links of the cells)."""
        values = {
            "year": self.year,
            "submitted_from": self.submitted_from and self.submitted_from.strftime("%d/%m/%Y"),
            "submitted_to": self.submitted_to and self.submitted_to.strftime("%d/%m/%Y"),
            "campaign": "none" if self.without_campaign else self.campaign and self.campaign.pk,
            "award_type": self.award_type and self.award_type.pk,
            "form": self.form,
            "subject_type": self.subject_type,
            "subject_group": "none" if self.without_group else self.subject_group and self.subject_group.pk,
            "province": self.province_code,
            "unit": self.unit and self.unit.pk,
            "direct": "1" if self.direct else "",
        }
        return {key: str(value) for key, value in values.items() if value}


def _sees_everything(user) -> bool:
    return user is None or getattr(user, "is_superuser", False)


def nominees_in_scope(*, user) -> QuerySet[Nominee]:
    """Every nominee of a submitted dossier the user may see (every one at all when ``user`` is None: a yearly
    report counts its unit's whole subtree, whoever opens it)."""
    nominees = tallies.counted_nominees()
    return nominees if _sees_everything(user) else nominees.filter(submitted_dossier_visible(user=user))


def tallies_in_scope(*, user) -> QuerySet[DossierTally]:
    """The tallies of the same dossiers as ``nominees_in_scope`` (a draft has none), tested on the facts they
    carry."""
    rows = DossierTally.objects.all()
    return rows if _sees_everything(user) else rows.filter(tally_visible(user=user))


def province_units(code: str) -> QuerySet[OrgUnit]:
    """The province-level units of a locality in every branch (the People's Committee, the police…)."""
    return OrgUnit.objects.filter(level=Level.PROVINCE, admin_code=code)


def filtered(nominees: QuerySet, criteria: Criteria, *, province_paths=None) -> QuerySet:
    """Apply the criteria to nominees or to tallies (both have the subject kind and group; the tallies carry the
    facts of their dossier that the nominees read on it); ``province_paths`` are the paths of
    ``criteria.province_code``'s units, read once."""
    on = "" if nominees.model is DossierTally else "dossier__"
    if criteria.year is not None:
        nominees = nominees.filter(**{f"{on}year": criteria.year})
    if criteria.submitted_from is not None:
        nominees = nominees.filter(**{f"{on}submitted_at__date__gte": criteria.submitted_from})
    if criteria.submitted_to is not None:
        nominees = nominees.filter(**{f"{on}submitted_at__date__lte": criteria.submitted_to})
    if criteria.campaign is not None:
        nominees = nominees.filter(**{f"{on}campaign": criteria.campaign})
    if criteria.without_campaign:
        nominees = nominees.filter(**{f"{on}campaign__isnull": True})
    if criteria.award_type is not None:
        nominees = nominees.filter(**{f"{on}award_type": criteria.award_type})
    if criteria.form:
        nominees = nominees.filter(**{f"{on}award_type__form": criteria.form})
    if criteria.subject_type:
        nominees = nominees.filter(subject_type=criteria.subject_type)
    if criteria.subject_group is not None:
        nominees = nominees.filter(subject_group=criteria.subject_group)
    if criteria.without_group:
        nominees = nominees.filter(subject_type=SubjectType.INDIVIDUAL, subject_group__isnull=True)
    if criteria.province_code:
        paths = province_paths if province_paths is not None else province_units(criteria.province_code)
        condition = Q(pk__in=[])
        for path in paths if province_paths is not None else paths.values_list("path", flat=True):
            condition |= Q(**{f"{on}originating_unit__path__startswith": path})
        nominees = nominees.filter(condition)
    if criteria.unit is not None:
        if criteria.direct:
            nominees = nominees.filter(**{f"{on}originating_unit": criteria.unit})
        else:
            nominees = nominees.filter(**{f"{on}originating_unit__path__startswith": criteria.unit.path})
    return nominees


def _counts() -> dict:
    return {outcome: Sum(outcome) for outcome in Outcome.ALL}


@dataclass
class Row:
    """One line of a table: what it counts (``key`` for the links) and the counts by outcome."""

    key: object
    label: str
    counts: dict = field(default_factory=lambda: dict.fromkeys(Outcome.ALL, 0))
    # Awarded nominees by subject kind (the award table's split).
    awarded_by_subject: dict = field(default_factory=lambda: dict.fromkeys(SubjectType.values, 0))
    group: str = ""
    # For the rows by unit: may the unit be drilled into, and is it the selected unit's own line.
    drillable: bool = False
    direct: bool = False

    def add(self, other_counts: dict, subject_type: str) -> None:
        for outcome in Outcome.ALL:
            self.counts[outcome] += other_counts[outcome]
        self.awarded_by_subject[subject_type] += other_counts[Outcome.AWARDED]

    def as_data(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "counts": self.counts,
            "awarded_by_subject": self.awarded_by_subject,
            "group": self.group,
            "drillable": self.drillable,
            "direct": self.direct,
        }


@dataclass
class Statistics:
    """The tables of the statistics page (and of a yearly report), as plain data that can be kept as JSON."""

    total: Row
    by_award: list[Row]
    by_form: list[Row]
    by_subject: list[Row]
    by_unit: list[Row]
    by_campaign: list[Row]
    # The individuals by the campaigns' subject groups (empty when none of them is in a group).
    by_group: list[Row]
    by_year: list[tuple[int, int]]

    def as_data(self) -> dict:
        return {
            "total": self.total.as_data(),
            "by_award": [row.as_data() for row in self.by_award],
            "by_form": [row.as_data() for row in self.by_form],
            "by_subject": [row.as_data() for row in self.by_subject],
            "by_unit": [row.as_data() for row in self.by_unit],
            "by_campaign": [row.as_data() for row in self.by_campaign],
            "by_group": [row.as_data() for row in self.by_group],
            "by_year": [list(pair) for pair in self.by_year],
        }


def _unit_key_length(unit: OrgUnit | None, *, user) -> int:
    """The length of the path prefix that names the drill-down row a nominee falls in: the selected unit's
    children, else the highest units of the user's reporting seats (the tree's roots for a superuser)."""
    if unit is not None:
        return OrgUnit.steplen * (unit.depth + 1)
    paths = [seat.path for seat in seats_of(user) if seat.role in REPORT_ROLES] if user is not None else []
    if not paths or getattr(user, "is_superuser", False):
        return OrgUnit.steplen
    return min(len(path) for path in paths)


def _in_period(criteria: Criteria) -> Q | None:
    """The submission dates of ``criteria`` as a condition on the tallies (None when no date is chosen)."""
    condition = Q()
    if criteria.submitted_from is not None:
        condition &= Q(submitted_at__date__gte=criteria.submitted_from)
    if criteria.submitted_to is not None:
        condition &= Q(submitted_at__date__lte=criteria.submitted_to)
    return condition or None


def statistics(*, user, criteria: Criteria) -> Statistics:
    """Count the nominees the user may see under ``criteria``, by every dimension at once.

    One statement serves the tables and the chart of awards by year, so the scope is evaluated once: it adds up
    the tallies of the chart's years (the ``YEARS_IN_CHART`` years up to the selected one, or every year) by year
    too, and by whether they lie in the selected submission dates; the tables take the rows of the selected year
    and dates, the chart the awards of every row by year.
    """
    province_paths = (
        list(province_units(criteria.province_code).values_list("path", flat=True)) if criteria.province_code else None
    )
    without_period = Criteria(**{**criteria.__dict__, "year": None, "submitted_from": None, "submitted_to": None})
    counted = filtered(tallies_in_scope(user=user), without_period, province_paths=province_paths)
    if criteria.year is not None:
        counted = counted.filter(year__range=(criteria.year - YEARS_IN_CHART + 1, criteria.year))
    keys = ["year", "award_type", "subject_type", "subject_group", "unit_key", "campaign"]
    period = _in_period(criteria)
    if period is not None:
        counted = counted.annotate(in_period=ExpressionWrapper(period, output_field=BooleanField()))
        keys.append("in_period")
    key_length = _unit_key_length(criteria.unit, user=user)
    grouped = (
        counted.annotate(unit_key=Substr("originating_unit__path", 1, key_length))
        .values(*keys)
        .annotate(**_counts())
        .order_by()
    )
    every = list(grouped)
    rows = [
        row for row in every if (criteria.year is None or row["year"] == criteria.year) and row.get("in_period", True)
    ]
    award_types = {a.pk: a for a in AwardType.objects.filter(pk__in={r["award_type"] for r in rows})}
    units = {u.path: u for u in OrgUnit.objects.filter(path__in={r["unit_key"] for r in rows})}
    campaigns = {c.pk: c for c in Campaign.objects.filter(pk__in={r["campaign"] for r in rows} - {None})}
    groups = {
        g.pk: g
        for g in CampaignSubjectGroup.objects.filter(pk__in={r["subject_group"] for r in rows} - {None}).select_related(
            "campaign"
        )
    }

    total = Row(key=None, label=_("Total"))
    by_award: dict[int, Row] = {}
    by_form: dict[str, Row] = {}
    by_subject = {value: Row(key=value, label=str(label)) for value, label in SubjectType.choices}
    by_unit: dict[str, Row] = {}
    by_campaign: dict[int | None, Row] = {}
    by_group: dict[int | None, Row] = {}
    several_campaigns = len({group.campaign_id for group in groups.values()}) > 1
    forms = dict(AwardForm.choices)
    for row in rows:
        award = award_types[row["award_type"]]
        subject = row["subject_type"]
        total.add(row, subject)
        by_award.setdefault(award.pk, Row(key=award.pk, label=award.name, group=str(forms[award.form]))).add(
            row, subject
        )
        by_form.setdefault(award.form, Row(key=award.form, label=str(forms[award.form]))).add(row, subject)
        by_subject[subject].add(row, subject)
        unit = units[row["unit_key"]]
        direct = criteria.unit is not None and unit.pk == criteria.unit.pk
        label = _("%(unit)s (its own dossiers)") % {"unit": unit.name} if direct else unit.name
        by_unit.setdefault(
            unit.path, Row(key=unit.pk, label=label, drillable=not direct and unit.numchild > 0, direct=direct)
        ).add(row, subject)
        campaign = campaigns.get(row["campaign"])
        by_campaign.setdefault(
            campaign.pk if campaign else None,
            Row(key=campaign.pk if campaign else "none", label=campaign.name if campaign else _("No campaign")),
        ).add(row, subject)
        if subject == SubjectType.INDIVIDUAL:
            group = groups.get(row["subject_group"])
            by_group.setdefault(
                group.pk if group else None,
                Row(
                    key=group.pk if group else "none",
                    label=group.name if group else _("In no subject group"),
                    group=group.campaign.name if group and several_campaigns else "",
                ),
            ).add(row, subject)

    form_order = list(forms)
    return Statistics(
        total=total,
        by_award=sorted(
            by_award.values(), key=lambda r: (form_order.index(award_types[r.key].form), -r.counts[Outcome.AWARDED])
        ),
        by_form=sorted(by_form.values(), key=lambda r: form_order.index(r.key)),
        by_subject=[row for row in by_subject.values() if row.counts[Outcome.PROPOSED]],
        by_unit=sorted(by_unit.values(), key=lambda r: (not r.direct, -r.counts[Outcome.PROPOSED], r.label)),
        by_campaign=sorted(by_campaign.values(), key=lambda r: (r.key == "none", r.label)),
        by_group=(
            sorted(
                by_group.values(),
                key=lambda r: (r.key == "none", r.group, groups[r.key].position if r.key != "none" else 0, r.label),
            )
            if groups
            else []
        ),
        by_year=awards_by_year(every),
    )


def awards_by_year(rows: list[dict]) -> list[tuple[int, int]]:
    """Awards in force per year in the rows of the statistics' statement (whatever their submission dates): the
    last ``YEARS_IN_CHART`` years that have any."""
    awarded: dict[int, int] = {}
    for row in rows:
        awarded[row["year"]] = awarded.get(row["year"], 0) + row[Outcome.AWARDED]
    years = sorted(year for year, count in awarded.items() if count)[-YEARS_IN_CHART:]
    return [(year, awarded[year]) for year in years]


def nominee_list(*, user, criteria: Criteria, outcome: str = Outcome.PROPOSED) -> QuerySet[Nominee]:
    """The nominees behind one cell of the tables, with what the list shows joined."""
    nominees = filtered(nominees_in_scope(user=user), criteria)
    if outcome in Outcome.ALL:
        nominees = nominees.filter(Outcome.condition(outcome))
    return nominees.select_related(
        "dossier",
        "dossier__award_type",
        "dossier__originating_unit",
        "dossier__campaign",
        "subject_group",
        "award_record__revocation",
    ).order_by("-dossier__year", "dossier__originating_unit__path", "dossier_id", "list_position", "pk")
