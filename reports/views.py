"""The statistics pages, the nominees behind a cell, the yearly reports and their exports (thin views)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View, generic

from nominations.models import Campaign, SubjectType
from org_hierarchy.models import Level

from . import charts, exports, selectors, services, yearly
from .forms import NomineeListForm, StatisticsFilterForm, YearlyReportForm, YearlyReportPickForm
from .statistics import Outcome, may_view_statistics, nominee_list, statistics

NOMINEES_PER_PAGE = 50


class ReportsAccessMixin(LoginRequiredMixin):
    """Only those who hold a reporting role somewhere open these pages (a 403 page otherwise)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_view_statistics(user=request.user):
            raise PermissionDenied(_("The reports are for the officers, heads and auditors of a unit."))
        return super().dispatch(request, *args, **kwargs)


def _cell_url(base: dict, **extra) -> str:
    return reverse("reports:nominees") + "?" + urlencode({**base, **{k: v for k, v in extra.items() if v != ""}})


def _filter_summary(form, criteria) -> list[tuple[str, str]]:
    """The filters in words, for the exports' heading."""
    summary = []
    if not (form.is_bound and form.is_valid()):
        return summary
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if name in ("unit", "direct", "subject_group") or value in (None, ""):
            continue
        if hasattr(field, "choices") and not hasattr(value, "pk"):
            value = dict(field.choices).get(str(value), value)
        elif hasattr(value, "strftime"):
            value = value.strftime("%d/%m/%Y")
        summary.append((str(field.label), str(value)))
    if criteria.subject_group is not None:
        summary.append((_("Subject group"), criteria.subject_group.name))
    if criteria.without_group:
        summary.append((_("Subject group"), _("In no subject group")))
    if criteria.unit is not None:
        summary.append((_("Unit"), criteria.unit.name))
    return summary


class StatisticsMixin(ReportsAccessMixin):
    form_class = StatisticsFilterForm

    def read(self, request):
        self.form = self.form_class(request.GET or None, scope=selectors.report_scope(user=request.user))
        unit_id = request.GET.get("unit", "")
        unit = None
        if unit_id:
            if not unit_id.isdigit():
                raise Http404
            unit = selectors.unit_get_visible(user=request.user, pk=int(unit_id))
        self.criteria = self.form.criteria(unit=unit)
        self.invalid = self.form.is_bound and not self.form.is_valid()


class StatisticsView(StatisticsMixin, View):
    template_name = "reports/statistics.html"

    def get(self, request):
        self.read(request)
        context = {"form": self.form, "has_data": False}
        if self.invalid:
            return render(request, self.template_name, context, status=400)
        result = statistics(user=request.user, criteria=self.criteria)
        context = {
            "form": self.form,
            "criteria": self.criteria,
            "trail": selectors.trail(user=request.user, unit=self.criteria.unit),
            **statistics_context(result.as_data(), base=self.criteria.params()),
            "export_query": urlencode(self.criteria.params()),
            "filter_query": urlencode({k: v for k, v in self.criteria.params().items() if k not in ("unit", "direct")}),
        }
        return render(request, self.template_name, context)


def statistics_context(data: dict, *, base: dict, links: bool = True) -> dict:
    """The tables with their cell links and the charts, from the plain data of ``statistics``."""
    subject_labels = dict(SubjectType.choices)

    def link(row_params: dict, outcome: str, subject: str = "") -> str:
        if not links:
            return ""
        params = {**row_params, "outcome": outcome}
        if subject:
            params["subject_type"] = subject
        return _cell_url(base, **params)

    def cells(row: dict, row_params: dict, *, with_subjects: bool) -> list[dict]:
        out = [{"value": row["counts"][Outcome.PROPOSED], "url": link(row_params, Outcome.PROPOSED)}]
        if with_subjects:
            out += [
                {"value": row["awarded_by_subject"][value], "url": link(row_params, Outcome.AWARDED, value)}
                for value in SubjectType.values
            ]
        # A report finalised before revocations were counted has no such column: 0 there.
        out += [{"value": row["counts"].get(o, 0), "url": link(row_params, o)} for o in Outcome.ALL[1:]]
        return out

    def table(rows: list[dict], param: str, *, with_subjects: bool = True, drill: bool = False):
        lines = []
        for row in rows:
            params = {param: row["key"]} if param else {}
            if drill and row["direct"]:
                params["direct"] = "1"
            lines.append(
                {
                    "label": row["label"],
                    "group": row["group"],
                    "cells": cells(row, params, with_subjects=with_subjects),
                    "drill_url": (
                        reverse("reports:statistics") + "?" + urlencode({**base, "unit": row["key"], "direct": ""})
                        if drill and row["drillable"]
                        else ""
                    ),
                }
            )
        return lines

    total = data["total"]
    header = [str(Outcome.LABELS[Outcome.PROPOSED])]
    subject_header = [
        *header,
        *(_("Awarded: %(kind)s") % {"kind": subject_labels[v]} for v in SubjectType.values),
        *(str(Outcome.LABELS[o]) for o in Outcome.ALL[1:]),
    ]
    return {
        "header": subject_header,
        "plain_header": [*header, *(str(Outcome.LABELS[o]) for o in Outcome.ALL[1:])],
        "total": cells(total, {}, with_subjects=True),
        "plain_total": cells(total, {}, with_subjects=False),
        "by_award": table(data["by_award"], "award_type"),
        "by_form": table(data["by_form"], "form"),
        "by_subject": table(data["by_subject"], "subject_type", with_subjects=False),
        "by_unit": table(data["by_unit"], "unit", drill=True),
        "by_campaign": table(data["by_campaign"], "campaign"),
        # Reports finalised before the subject groups were counted have no such table.
        "by_group": table(data.get("by_group", []), "subject_group", with_subjects=False),
        "by_year": data["by_year"],
        "has_data": bool(total["counts"][Outcome.PROPOSED]),
        "charts": [
            chart
            for chart in (
                charts.bar_chart("year", _("Awarded by year"), [(str(y), n) for y, n in data["by_year"]]),
                charts.bar_chart(
                    "form",
                    _("Awarded by form of award"),
                    [(r["label"], r["counts"]["awarded"]) for r in data["by_form"]],
                ),
                charts.bar_chart(
                    "unit", _("Awarded by unit"), [(r["label"], r["counts"]["awarded"]) for r in data["by_unit"]]
                ),
            )
            if chart is not None
        ],
    }


class StatisticsExportView(StatisticsMixin, View):
    def get(self, request, fmt):
        self.read(request)
        if self.invalid:
            return HttpResponseBadRequest(_("Correct the filters before exporting."))
        data = statistics(user=request.user, criteria=self.criteria).as_data()
        filters = _filter_summary(self.form, self.criteria)
        if fmt == "xlsx":
            return exports.statistics_xlsx(data=data, filters=filters, filename="thong-ke-khen-thuong.xlsx")
        context = {"filters": filters, **statistics_context(data, base={}, links=False)}
        return exports.pdf(
            template="reports/print_statistics.html",
            context=context,
            filename="thong-ke-khen-thuong.pdf",
            request=request,
        )


class NomineeListView(StatisticsMixin, generic.ListView):
    """The nominees behind a cell of the statistics."""

    form_class = NomineeListForm
    template_name = "reports/nominee_list.html"
    context_object_name = "nominees"
    paginate_by = NOMINEES_PER_PAGE

    def get(self, request, *args, **kwargs):
        self.read(request)
        response = super().get(request, *args, **kwargs)
        if self.invalid:
            response.status_code = 400
        return response

    def get_queryset(self):
        outcome = self.form.cleaned_data.get("outcome") if not self.invalid and self.form.is_bound else ""
        self.outcome = outcome or Outcome.PROPOSED
        return nominee_list(user=self.request.user, criteria=self.criteria, outcome=self.outcome)

    def get_context_data(self, **kwargs):
        params = self.criteria.params()
        return super().get_context_data(
            form=self.form,
            outcome_label=Outcome.LABELS[self.outcome],
            filters=_filter_summary(self.form, self.criteria),
            back_url=reverse("reports:statistics") + "?" + urlencode(params),
            page_query=urlencode({**params, "outcome": self.outcome}),
            **kwargs,
        )


# Yearly reports ----------------------------------------------------------------------------------------------


class YearlyReportListView(ReportsAccessMixin, View):
    template_name = "reports/yearly_list.html"

    def get(self, request):
        units = selectors.report_scope(user=request.user)
        form = YearlyReportPickForm(
            request.GET or None, units=units.filter(level__gte=Level.COMMUNE).order_by("depth", "path")
        )
        if form.is_bound and form.is_valid():
            return redirect(
                "reports:yearly_report",
                form.cleaned_data["campaign"].pk,
                form.cleaned_data["year"],
                form.cleaned_data["unit"].pk,
            )
        writable = list(selectors.writable_units(user=request.user))
        response = render(
            request,
            self.template_name,
            {
                "form": form,
                "reports": selectors.reports_visible_to(user=request.user)[:200],
                "writable": writable,
            },
        )
        if form.is_bound:
            response.status_code = 400
        return response


def _sections(campaign: Campaign, *, results: list[dict], lessons: str, proposals: str) -> list[tuple[str, str]]:
    texts = {item["content"]: item["text"] for item in results}
    return [
        *((_("Results: %(content)s") % {"content": c.text}, texts.get(c.pk, "")) for c in campaign.contents.all()),
        (_("Lessons learned"), lessons),
        (_("Proposals and recommendations"), proposals),
    ]


class YearlyReportMixin(ReportsAccessMixin):
    def load(self, request, campaign, year, unit):
        self.campaign = get_object_or_404(Campaign, pk=campaign)
        self.unit = selectors.unit_get_visible(user=request.user, pk=unit)
        if not 1945 <= year <= 2200:
            raise Http404
        self.year = year
        self.report = selectors.report_of(campaign=self.campaign, year=year, unit=self.unit)

    def figures(self) -> dict:
        if self.report is not None and self.report.is_final:
            frozen = self.report.figures
            return frozen.get(get_language(), frozen.get(settings.LANGUAGE_CODE))
        return yearly.figures(campaign=self.campaign, year=self.year, unit=self.unit)

    def context(self, request, form=None) -> dict:
        figures = self.figures()
        report = self.report
        results = report.results if report else []
        children = selectors.child_reports(campaign=self.campaign, year=self.year, unit=self.unit)
        counts = statistics_context(
            figures["statistics"],
            base={"year": self.year, "campaign": self.campaign.pk},
            links=not (report and report.is_final),
        )
        rollup = [
            {"row": row, "report": children.get(unit_row["key"])}
            for row, unit_row in zip(counts["by_unit"], figures["statistics"]["by_unit"], strict=True)
            if not unit_row["direct"]
        ]
        stage_chart = charts.grouped(
            "stages",
            _("Processing time per stage (working days): median and 90th percentile"),
            [(s["label"], s["median"], s["p90"]) for s in figures["stage_times"]],
            series=(_("median"), _("90th percentile")),
        )
        return {
            "campaign": self.campaign,
            "year": self.year,
            "unit": self.unit,
            "report": report,
            "figures": figures,
            "counts": counts,
            "rollup": rollup,
            "stage_chart": stage_chart,
            "sections": _sections(
                self.campaign,
                results=results,
                lessons=report.lessons if report else "",
                proposals=report.proposals if report else "",
            ),
            "form": form,
            "may_write": services.may_write(user=request.user, unit=self.unit) and not (report and report.is_final),
            "may_finalise": (
                report is not None and not report.is_final and services.may_finalise(user=request.user, unit=self.unit)
            ),
            "heading": _("Yearly report %(year)s on %(campaign)s: %(unit)s")
            % {"year": self.year, "campaign": self.campaign.name, "unit": self.unit.name},
            "status": str(report.get_status_display()) if report else _("Not started"),
        }


class YearlyReportView(YearlyReportMixin, View):
    template_name = "reports/yearly_report.html"

    def initial(self) -> dict:
        if self.report is None:
            return {}
        initial = {f"content_{item['content']}": item["text"] for item in self.report.results}
        return {**initial, "lessons": self.report.lessons, "proposals": self.report.proposals}

    def get(self, request, campaign, year, unit):
        self.load(request, campaign, year, unit)
        form = YearlyReportForm(campaign=self.campaign, initial=self.initial())
        return render(request, self.template_name, self.context(request, form))

    def post(self, request, campaign, year, unit):
        self.load(request, campaign, year, unit)
        form = YearlyReportForm(request.POST, campaign=self.campaign)
        if form.is_valid():
            try:
                services.yearly_report_save(
                    actor=request.user,
                    campaign=self.campaign,
                    year=self.year,
                    unit=self.unit,
                    results=form.results(),
                    lessons=form.cleaned_data["lessons"],
                    proposals=form.cleaned_data["proposals"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The draft report is saved."))
                return redirect("reports:yearly_report", self.campaign.pk, self.year, self.unit.pk)
        return render(request, self.template_name, self.context(request, form), status=400)


class YearlyReportFinaliseView(YearlyReportMixin, View):
    def post(self, request, campaign, year, unit):
        self.load(request, campaign, year, unit)
        if self.report is None:
            raise Http404
        try:
            services.yearly_report_finalise(actor=request.user, report=self.report)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("reports:yearly_report", self.campaign.pk, self.year, self.unit.pk)
        messages.success(request, _("The report is finalised; it can no longer change."))
        return redirect("reports:yearly_report", self.campaign.pk, self.year, self.unit.pk)


class YearlyReportExportView(YearlyReportMixin, View):
    def get(self, request, campaign, year, unit, fmt):
        self.load(request, campaign, year, unit)
        context = self.context(request)
        filename = f"bao-cao-nam-{self.year}-{self.unit.pk}.{fmt}"
        if fmt == "xlsx":
            return exports.yearly_xlsx(report=context, filename=filename)
        context["counts"] = statistics_context(context["figures"]["statistics"], base={}, links=False)
        return exports.pdf(template="reports/print_yearly.html", context=context, filename=filename, request=request)
