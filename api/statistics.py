"""The commendation statistics and the yearly reports, read-only, as the reports pages compute them.

The statistics take the page's own filter form (the same parameters, the same messages for a bad one) and count
through ``reports.statistics.statistics`` over the caller's reporting scope; a drill-down unit outside that scope
is a 404, as on the page; the nominees behind a cell come from the page's own list form and selector
(``reports.statistics.nominee_list``). A yearly report is read with the report page's own loading (its scope,
its years) and figures: live while a draft, those frozen at finalisation once final. Every code comes with its
label in the caller's language; only those who may open the reports pages (officers, heads, auditors,
administrators of a unit) may call these.
"""

import datetime

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import exceptions, generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from nominations.models import SubjectType
from reports import selectors as report_selectors
from reports.forms import NomineeListForm, StatisticsFilterForm
from reports.statistics import Outcome, may_view_statistics, nominee_list, statistics
from reports.views import YearlyReportMixin

from . import forms_io
from .base import ApiViewMixin
from .serializers import LabelSerializer

NOT_A_REPORTER = _("The reports are for the officers, heads and auditors of a unit.")

FILTERS = [
    OpenApiParameter("year", OpenApiTypes.INT, description="The dossiers' year (1945 to 2200)."),
    OpenApiParameter("submitted_from", OpenApiTypes.DATE, description="Submitted from this day, included."),
    OpenApiParameter("submitted_to", OpenApiTypes.DATE, description="Submitted until this day, included."),
    OpenApiParameter("campaign", OpenApiTypes.STR, description="A campaign's id, or none: the dossiers of none."),
    OpenApiParameter("form", OpenApiTypes.STR, description="A form of award's code."),
    OpenApiParameter("award_type", OpenApiTypes.INT, description="An award type's id."),
    OpenApiParameter("subject_type", OpenApiTypes.STR, enum=SubjectType.values, description="A subject kind."),
    OpenApiParameter("province", OpenApiTypes.STR, description="A province's administrative code, in your scope."),
    OpenApiParameter(
        "subject_group", OpenApiTypes.STR, description="A subject group's id, or none: the individuals in none."
    ),
    OpenApiParameter(
        "unit", OpenApiTypes.INT, description="Drill down: the rows by unit are this unit's children (in your scope)."
    ),
    OpenApiParameter("direct", OpenApiTypes.BOOL, description="With unit: only the dossiers the unit raised itself."),
]


def require_reporter(user):
    if not may_view_statistics(user=user):
        raise exceptions.PermissionDenied(NOT_A_REPORTER)


def _day(text: str) -> str:
    """A day the reports keep as dd/mm/yyyy, as an ISO date."""
    return datetime.datetime.strptime(text, "%d/%m/%Y").date().isoformat()


# Representations: plain data of the reports (``Statistics.as_data``, ``yearly.figures``) as the schema says.


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CountsSerializer(serializers.Serializer):
    proposed = serializers.IntegerField()
    awarded = serializers.IntegerField(help_text="Awarded and in force.")
    revoked = serializers.IntegerField()
    pending = serializers.IntegerField(help_text="In progress.")
    dropped = serializers.IntegerField(help_text="Dropped at a stage.")
    rejected = serializers.IntegerField(help_text="In rejected dossiers.")
    withdrawn = serializers.IntegerField()


class AwardedBySubjectSerializer(serializers.Serializer):
    individual = serializers.IntegerField()
    collective = serializers.IntegerField()
    household = serializers.IntegerField()


class StatisticsRowSerializer(serializers.Serializer):
    key = serializers.CharField(
        allow_null=True,
        help_text="The value of the table's filter that selects this row's nominees (null for the total).",
    )
    label = serializers.CharField()
    group = serializers.CharField(help_text="The form of award (rows by award type) or the campaign (by group).")
    counts = CountsSerializer(help_text="Nominees by outcome; the outcomes' labels are in outcomes.")
    awarded_by_subject = AwardedBySubjectSerializer(help_text="Awarded by subject kind (labels in subject_kinds).")
    drillable = serializers.BooleanField(help_text="Rows by unit: the unit has units below to drill into.")
    direct = serializers.BooleanField(help_text="Rows by unit: the drill-down unit's own dossiers.")


class YearCountSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    awarded = serializers.IntegerField()


class StatisticsTablesSerializer(serializers.Serializer):
    total = StatisticsRowSerializer()
    by_award = StatisticsRowSerializer(many=True)
    by_form = StatisticsRowSerializer(many=True)
    by_subject = StatisticsRowSerializer(many=True)
    by_unit = StatisticsRowSerializer(many=True)
    by_campaign = StatisticsRowSerializer(many=True)
    by_group = StatisticsRowSerializer(many=True, help_text="Individuals by the campaigns' subject groups.")
    by_year = YearCountSerializer(many=True, help_text="Awards in force by year, for up to ten years.")


class StatisticsSerializer(StatisticsTablesSerializer):
    outcomes = LabelSerializer(many=True, help_text="The keys of counts, in the tables' order, with their labels.")
    subject_kinds = LabelSerializer(many=True, help_text="The keys of awarded_by_subject, with their labels.")
    unit = NamedSerializer(allow_null=True, help_text="The drill-down unit, if any.")
    trail = NamedSerializer(many=True, help_text="The drill-down's way from the top of your scope to the unit.")


def _row(row: dict) -> dict:
    # A report finalised before revocations (or subject groups) were counted has no such column: 0 there.
    return {
        "key": None if row["key"] is None else str(row["key"]),
        "label": row["label"],
        "group": row["group"],
        "counts": {outcome: row["counts"].get(outcome, 0) for outcome in Outcome.ALL},
        "awarded_by_subject": {kind: row["awarded_by_subject"].get(kind, 0) for kind in SubjectType.values},
        "drillable": row["drillable"],
        "direct": row["direct"],
    }


def tables(data: dict) -> dict:
    """The tables of ``Statistics.as_data`` (live or frozen in a report) for the API."""
    return {
        "total": _row(data["total"]),
        **{
            name: [_row(row) for row in data.get(name, [])]
            for name in ("by_award", "by_form", "by_subject", "by_unit", "by_campaign", "by_group")
        },
        "by_year": [{"year": year, "awarded": count} for year, count in data["by_year"]],
    }


def _named(unit) -> dict | None:
    return None if unit is None else {"id": unit.pk, "name": unit.name}


def read_filters(request, form_class=StatisticsFilterForm):
    """The page's filter form over the query string: a 400 for a bad filter, a 404 for a unit outside the scope."""
    form = form_class(request.query_params or None, scope=report_selectors.report_scope(user=request.user))
    if form.is_bound and not form.is_valid():
        raise forms_io.form_errors(form)
    unit_id = form.cleaned_data.get("unit") if form.is_bound else None
    unit = report_selectors.unit_get_visible(user=request.user, pk=unit_id) if unit_id else None
    return form, form.criteria(unit=unit)


class StatisticsView(ApiViewMixin, APIView):
    """The commendation statistics of your reporting scope, filtered and drilled down as on the statistics page:
    nominees by outcome, in total and by award type, form of award, subject kind, unit, campaign and subject group,
    and the awards by year."""

    @extend_schema(parameters=FILTERS, responses=StatisticsSerializer)
    def get(self, request):
        require_reporter(request.user)
        _form, criteria = read_filters(request)
        unit = criteria.unit
        data = statistics(user=request.user, criteria=criteria).as_data()
        return Response(
            {
                **tables(data),
                "outcomes": [{"code": o, "label": str(Outcome.LABELS[o])} for o in Outcome.ALL],
                "subject_kinds": [{"code": value, "label": str(label)} for value, label in SubjectType.choices],
                "unit": _named(unit),
                "trail": [_named(u) for u in report_selectors.trail(user=request.user, unit=unit)],
            }
        )


class RevocationSummarySerializer(serializers.Serializer):
    reference = serializers.CharField(help_text="The revoking decision's number.")
    revoked_on = serializers.DateField()


class CellNomineeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    subject_type = serializers.SerializerMethodField()
    subject_group = serializers.SerializerMethodField()
    award_type = serializers.SerializerMethodField()
    originating_unit = serializers.SerializerMethodField()
    year = serializers.IntegerField(source="dossier.year")
    outcome = serializers.SerializerMethodField()
    revocation = serializers.SerializerMethodField()
    dossier = serializers.SerializerMethodField()

    @extend_schema_field(LabelSerializer)
    def get_subject_type(self, nominee) -> dict:
        return {"code": nominee.subject_type, "label": str(nominee.get_subject_type_display())}

    @extend_schema_field(NamedSerializer(allow_null=True))
    def get_subject_group(self, nominee) -> dict | None:
        group = nominee.subject_group
        return None if group is None else {"id": group.pk, "name": group.name}

    @extend_schema_field(NamedSerializer)
    def get_award_type(self, nominee) -> dict:
        return {"id": nominee.dossier.award_type_id, "name": nominee.dossier.award_type.name}

    @extend_schema_field(NamedSerializer)
    def get_originating_unit(self, nominee) -> dict:
        return _named(nominee.dossier.originating_unit)

    @extend_schema_field(LabelSerializer)
    def get_outcome(self, nominee) -> dict:
        return {"code": nominee.outcome, "label": str(nominee.get_outcome_display())}

    @extend_schema_field(RevocationSummarySerializer(allow_null=True))
    def get_revocation(self, nominee) -> dict | None:
        revocation = getattr(getattr(nominee, "award_record", None), "revocation", None)
        if revocation is None:
            return None
        return {"reference": revocation.reference, "revoked_on": revocation.revoked_on.isoformat()}

    @extend_schema_field(
        inline_serializer("CellDossier", {"id": serializers.IntegerField(), "title": serializers.CharField()})
    )
    def get_dossier(self, nominee) -> dict:
        return {"id": nominee.dossier_id, "title": nominee.dossier.title}


OUTCOME = OpenApiParameter(
    "outcome", OpenApiTypes.STR, enum=list(Outcome.ALL), description="The column: proposed (the default), awarded…"
)


@extend_schema(parameters=[*FILTERS, OUTCOME])
class StatisticsNomineeListView(ApiViewMixin, generics.ListAPIView):
    """The nominees behind one cell of the statistics: the same filters, and the column's ``outcome``."""

    serializer_class = CellNomineeSerializer

    def get_queryset(self):
        require_reporter(self.request.user)
        form, criteria = read_filters(self.request, NomineeListForm)
        outcome = (form.cleaned_data.get("outcome") if form.is_bound else "") or Outcome.PROPOSED
        return nominee_list(user=self.request.user, criteria=criteria, outcome=outcome)


# Yearly reports ------------------------------------------------------------------------------------------------


class YearlyReportListSerializer(serializers.Serializer):
    campaign = NamedSerializer()
    year = serializers.IntegerField()
    unit = NamedSerializer()
    status = serializers.SerializerMethodField()
    finalised_at = serializers.DateTimeField(allow_null=True)
    finalised_by = serializers.SerializerMethodField(help_text="The head who finalised it.")
    url = serializers.SerializerMethodField(help_text="The report in the API.")

    @extend_schema_field(LabelSerializer)
    def get_status(self, report) -> dict:
        return {"code": report.status, "label": str(report.get_status_display())}

    def get_finalised_by(self, report) -> str | None:
        return report.finalised_by.get_full_name() if report.finalised_by else None

    def get_url(self, report) -> str:
        return reverse("api:yearly_report", args=[report.campaign_id, report.year, report.unit_id])


class YearlyReportListView(ApiViewMixin, generics.ListAPIView):
    """The yearly reports written in your reporting scope (drafts and finalised), newest year first."""

    serializer_class = YearlyReportListSerializer

    def get_queryset(self):
        require_reporter(self.request.user)
        return report_selectors.reports_visible_to(user=self.request.user)


class OverdueSerializer(serializers.Serializer):
    dossier = serializers.IntegerField()
    title = serializers.CharField()
    unit = serializers.CharField(help_text="The unit that raised it.")
    stage = serializers.CharField(help_text="The unit whose stage is late.")
    deadline = serializers.DateField()


class StageTimeSerializer(serializers.Serializer):
    level = serializers.IntegerField(help_text="The level's number, as a unit's level code.")
    label = serializers.CharField(help_text="The level's name.")
    count = serializers.IntegerField(help_text="Stages signed.")
    median = serializers.FloatField(help_text="Working days, from receipt to the head's signature.")
    p90 = serializers.IntegerField(help_text="90th percentile, in working days.")


class YearlyFiguresSerializer(serializers.Serializer):
    computed_on = serializers.DateField()
    statistics = StatisticsTablesSerializer()
    dossiers = serializers.IntegerField(help_text="Dossiers submitted.")
    in_progress = serializers.IntegerField()
    overdue_count = serializers.IntegerField()
    overdue = OverdueSerializer(many=True, help_text="The first 100 overdue dossiers.")
    stage_times = StageTimeSerializer(many=True)
    silent_count = serializers.IntegerField(help_text="Units below from which no dossier was submitted.")
    silent = NamedSerializer(many=True, help_text="The first 100 of them.")


class YearlyResultSerializer(serializers.Serializer):
    content = serializers.IntegerField(help_text="The campaign's content.")
    heading = serializers.CharField()
    text = serializers.CharField(allow_blank=True)


class YearlyReportSerializer(serializers.Serializer):
    campaign = NamedSerializer()
    year = serializers.IntegerField()
    unit = NamedSerializer()
    status = LabelSerializer(allow_null=True, help_text="Null while no one has started the report.")
    finalised_at = serializers.DateTimeField(allow_null=True)
    finalised_by = serializers.CharField(allow_null=True)
    figures = YearlyFiguresSerializer(help_text="Frozen at finalisation; computed now while a draft or not started.")
    results = YearlyResultSerializer(many=True, help_text="The results the unit wrote, by the campaign's contents.")
    lessons = serializers.CharField(allow_blank=True)
    proposals = serializers.CharField(allow_blank=True)


class YearlyReportReader(YearlyReportMixin):
    """The report page's own reading of a report: its scope and years (404 outside), its live or frozen figures."""


def yearly_figures(figures: dict) -> dict:
    return {
        "computed_on": _day(figures["computed_on"]),
        "statistics": tables(figures["statistics"]),
        **{name: figures[name] for name in ("dossiers", "in_progress", "overdue_count", "silent_count")},
        "overdue": [{**item, "deadline": _day(item["deadline"])} for item in figures["overdue"]],
        "stage_times": [
            {k: stage[k] for k in ("level", "label", "count", "median", "p90")} for stage in figures["stage_times"]
        ],
        "silent": [{"id": item["unit"], "name": item["name"]} for item in figures["silent"]],
    }


class YearlyReportView(ApiViewMixin, APIView):
    """A unit's yearly report on a campaign, as its page shows it: the figures of the unit's subtree and what the
    unit wrote. A unit outside your reporting scope is a 404."""

    @extend_schema(responses=YearlyReportSerializer)
    def get(self, request, campaign, year, unit):
        require_reporter(request.user)
        reader = YearlyReportReader()
        reader.load(request, campaign, year, unit)
        report = reader.report
        texts = {item["content"]: item["text"] for item in report.results} if report else {}
        summary = YearlyReportListSerializer(report).data if report else {}
        return Response(
            {
                "campaign": {"id": reader.campaign.pk, "name": reader.campaign.name},
                "year": reader.year,
                "unit": _named(reader.unit),
                **{name: summary.get(name) for name in ("status", "finalised_at", "finalised_by")},
                "figures": yearly_figures(reader.figures()),
                "results": [
                    {"content": c.pk, "heading": c.text, "text": texts.get(c.pk, "")}
                    for c in reader.campaign.contents.all()
                ],
                "lessons": report.lessons if report else "",
                "proposals": report.proposals if report else "",
            }
        )


urlpatterns = [
    path("statistics/", StatisticsView.as_view(), name="statistics"),
    path("statistics/nominees/", StatisticsNomineeListView.as_view(), name="statistics_nominees"),
    path("yearly-reports/", YearlyReportListView.as_view(), name="yearly_reports"),
    path("yearly-reports/<int:campaign>/<int:year>/<int:unit>/", YearlyReportView.as_view(), name="yearly_report"),
]
