"""XLSX and PDF files of the statistics and the yearly reports: the same figures as the pages.

Text cells that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return) are
written with a leading apostrophe (``web.spreadsheets.export_cell``). The PDF is the page's print
template rendered by WeasyPrint.
"""

import io

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from nominations.models import SubjectType
from web.spreadsheets import export_cell

from .statistics import Outcome

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_CONTENT_TYPE = "application/pdf"
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14)
TOTAL_FONT = Font(bold=True)
PRINT_CSS = "reports/print.css"


def outcome_header(*, with_subjects: bool) -> list[str]:
    header = [str(Outcome.LABELS[Outcome.PROPOSED])]
    if with_subjects:
        header += [_("Awarded: %(kind)s") % {"kind": label} for _value, label in SubjectType.choices]
    header += [str(Outcome.LABELS[outcome]) for outcome in Outcome.ALL[1:]]
    return header


def outcome_cells(row: dict, *, with_subjects: bool) -> list[int]:
    cells = [row["counts"][Outcome.PROPOSED]]
    if with_subjects:
        cells += [row["awarded_by_subject"][value] for value in SubjectType.values]
    cells += [row["counts"].get(outcome, 0) for outcome in Outcome.ALL[1:]]
    return cells


class Sheet:
    """A worksheet written top to bottom: a title, lines of text, tables with a styled header."""

    def __init__(self, sheet, title: str):
        self.sheet = sheet
        self.sheet.title = export_cell(title)[:31]
        self.widths: dict[int, int] = {}

    def line(self, *values, font=None) -> None:
        self.sheet.append([export_cell(value) for value in values])
        for index, value in enumerate(values, start=1):
            self.widths[index] = max(self.widths.get(index, 8), min(len(str(value)) + 2, 60))
            if font is not None:
                self.sheet.cell(row=self.sheet.max_row, column=index).font = font

    def header(self, *values) -> None:
        self.line(*values)
        for index in range(1, len(values) + 1):
            cell = self.sheet.cell(row=self.sheet.max_row, column=index)
            cell.fill, cell.font = HEADER_FILL, HEADER_FONT
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    def table(self, title: str, first: str, rows: list[dict], total: dict | None, *, with_subjects: bool) -> None:
        self.line(title, font=TOTAL_FONT)
        self.header(first, *outcome_header(with_subjects=with_subjects))
        for row in rows:
            self.line(row["label"], *outcome_cells(row, with_subjects=with_subjects))
        if total is not None:
            self.line(_("Total"), *outcome_cells(total, with_subjects=with_subjects), font=TOTAL_FONT)
        self.line()

    def finish(self) -> None:
        for index, width in self.widths.items():
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.sheet.column_dimensions["A"].width = max(self.widths.get(1, 8), 40)


def _statistics_tables(sheet: Sheet, data: dict) -> None:
    total = data["total"]
    sheet.table(_("By award type"), _("Award type"), data["by_award"], total, with_subjects=True)
    sheet.table(_("By form of award"), _("Form of award"), data["by_form"], total, with_subjects=True)
    sheet.table(_("By subject kind"), _("Subject kind"), data["by_subject"], total, with_subjects=False)
    sheet.table(_("By unit"), _("Unit"), data["by_unit"], total, with_subjects=True)
    sheet.table(_("By campaign"), _("Campaign"), data["by_campaign"], total, with_subjects=True)
    if data.get("by_group"):
        sheet.table(_("Individuals by subject group"), _("Subject group"), data["by_group"], None, with_subjects=False)
    sheet.line(_("Awarded by year"), font=TOTAL_FONT)
    sheet.header(_("Year"), str(Outcome.LABELS[Outcome.AWARDED]))
    for year, count in data["by_year"]:
        sheet.line(year, count)


def _response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def statistics_xlsx(*, data: dict, filters: list[tuple[str, str]], filename: str) -> HttpResponse:
    book = Workbook()
    sheet = Sheet(book.active, _("Statistics"))
    sheet.line(_("Commendation statistics"), font=TITLE_FONT)
    for label, value in filters:
        sheet.line(label, value)
    sheet.line()
    _statistics_tables(sheet, data)
    sheet.finish()
    return _response(_workbook_bytes(book), XLSX_CONTENT_TYPE, filename)


def yearly_xlsx(*, report: dict, filename: str) -> HttpResponse:
    """``report`` is the page's context: the campaign, year, unit, figures and texts."""
    figures = report["figures"]
    book = Workbook()
    sheet = Sheet(book.active, _("Yearly report"))
    sheet.line(report["heading"], font=TITLE_FONT)
    sheet.line(_("Status"), report["status"])
    sheet.line(_("Figures as of"), figures["computed_on"])
    sheet.line()
    sheet.header(_("Figure"), _("Value"))
    sheet.line(_("Dossiers submitted"), figures["dossiers"])
    sheet.line(_("Nominees awarded"), figures["statistics"]["total"]["counts"][Outcome.AWARDED])
    sheet.line(_("Awards revoked"), figures["statistics"]["total"]["counts"].get(Outcome.REVOKED, 0))
    sheet.line(_("Dossiers in progress"), figures["in_progress"])
    sheet.line(_("Dossiers overdue"), figures["overdue_count"])
    sheet.line(_("Units that submitted nothing"), figures["silent_count"])
    sheet.line()
    _statistics_tables(sheet, figures["statistics"])
    sheet.line()
    sheet.line(_("Processing time per stage (working days)"), font=TOTAL_FONT)
    sheet.header(_("Stage"), _("Dossiers"), _("Median"), _("90th percentile"))
    for stage in figures["stage_times"]:
        sheet.line(stage["label"], stage["count"], stage["median"], stage["p90"])
    sheet.line()
    sheet.line(_("Overdue dossiers"), font=TOTAL_FONT)
    sheet.header(_("Dossier"), _("Originating unit"), _("Current stage"), _("Deadline"))
    for dossier in figures["overdue"]:
        sheet.line(dossier["title"], dossier["unit"], dossier["stage"], dossier["deadline"])
    sheet.line()
    sheet.line(_("Units that submitted nothing"), font=TOTAL_FONT)
    for unit in figures["silent"]:
        sheet.line(unit["name"])
    sheet.finish()
    texts = Sheet(book.create_sheet(), _("Text"))
    texts.header(_("Section"), _("Text"))
    for label, text in report["sections"]:
        texts.line(label, text)
        texts.sheet.cell(row=texts.sheet.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    texts.finish()
    texts.sheet.column_dimensions["B"].width = 100
    return _response(_workbook_bytes(book), XLSX_CONTENT_TYPE, filename)


def _refuse(url, *args, **kwargs):
    """The documents load nothing: every picture is drawn inline."""
    raise ValueError(f"no resource is fetched for a report: {url}")


def pdf(*, template: str, context: dict, filename: str, request) -> HttpResponse:
    """Render the print template to PDF with WeasyPrint (fonts from the system, no network)."""
    # Imported on first use: WeasyPrint takes a second to load, which no other page should pay.
    from weasyprint import CSS, HTML

    html = render_to_string(template, context, request=request)
    stylesheet = CSS(filename=finders.find(PRINT_CSS))
    content = HTML(string=html, url_fetcher=_refuse).write_pdf(stylesheets=[stylesheet])
    return _response(content, PDF_CONTENT_TYPE, filename)
