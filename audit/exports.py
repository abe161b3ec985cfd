"""CSV and XLSX files of a ledger search: the same entries, in the same order, as the page shows."""

import csv
import itertools
import tempfile

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from web.spreadsheets import export_cell
from web.streaming import StreamedFileResponse, StreamedResponse

from . import facets, labels
from .events import AuditEvent

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS_PER_READ = 2000
# The time column, as everywhere: day first, 24-hour clock.
CSV_TIME_FORMAT = "%d/%m/%Y %H:%M:%S"
XLSX_TIME_FORMAT = "dd/mm/yyyy hh:mm:ss"
# Lines sent to the client at a time: a piece of some tens of kilobytes.
LINES_PER_PIECE = 200
# An Excel sheet has 1,048,576 rows, the header included.
XLSX_MAX_ENTRIES = 1_048_575
TOO_MANY_FOR_XLSX = gettext_lazy(
    "An Excel sheet holds at most %(max)s entries and this search selects more: narrow the period or the unit, "
    "or export it as CSV."
)


def fits_xlsx(entries) -> bool:
    """Tell whether the entries fit in one sheet (counted only up to one past the limit)."""
    return entries[: XLSX_MAX_ENTRIES + 1].count() <= XLSX_MAX_ENTRIES


def _header() -> list[str]:
    return [
        _("Sequence"),
        _("Time"),
        _("Action"),
        _("Actor"),
        _("Role"),
        _("Acting for"),
        _("Unit"),
        _("Stage"),
        _("Subject"),
        _("Version digest"),
        _("Reason"),
        _("Details"),
        _("Award type"),
        _("Campaign"),
        _("Nominee outcomes"),
        _("Hash"),
    ]


def _rows(entries):
    award_types = dict(facets.choices_of(facets.AWARD_TYPE))
    campaigns = dict(facets.choices_of(facets.CAMPAIGN))
    outcomes = dict(facets.choices_of(facets.OUTCOME))
    # Translated once: ``get_event_display`` rebuilds the whole choice table per call (35 s per million entries).
    actions = {value: str(label) for value, label in AuditEvent.choices}
    for batch in itertools.batched(entries.iterator(chunk_size=ROWS_PER_READ), ROWS_PER_READ):
        names = labels.names_of(entry.data for entry in batch)
        yield from (_row(entry, actions, outcomes, names, award_types, campaigns) for entry in batch)


def _row(entry, actions: dict, outcomes: dict, names: dict, award_types: dict, campaigns: dict) -> list:
    # Names, reasons and subjects are typed by users: none may run as a formula in a spreadsheet.
    return [
        export_cell(value)
        for value in (
            entry.sequence,
            timezone.localtime(entry.occurred_at).replace(tzinfo=None),
            actions.get(entry.event, entry.event),
            entry.actor_name,
            labels.role_label(entry.role),
            entry.acting_for_name,
            entry.unit_name,
            labels.stage_label(entry.stage),
            entry.subject_text,
            entry.version_digest,
            entry.reason,
            labels.data_text(entry.data, outcomes=outcomes, names=names),
            award_types.get(entry.award_type, entry.award_type),
            campaigns.get(entry.campaign, entry.campaign),
            ", ".join(outcomes.get(value, value) for value in entry.outcomes.split(facets.SEPARATOR) if value),
            entry.hash,
        )
    ]


def _filename(extension: str) -> str:
    return f"ledger-{timezone.localdate():%Y%m%d}.{extension}"


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value):
        return value


def ledger_csv(entries) -> StreamedResponse:
    """Stream the entries as UTF-8 CSV with a byte order mark, which spreadsheet programs need for Vietnamese."""
    writer = csv.writer(_Echo())

    def pieces():
        piece = ["\ufeff" + writer.writerow(_header())]
        for row in _rows(entries):
            row[1] = row[1].strftime(CSV_TIME_FORMAT)
            piece.append(writer.writerow(row))
            if len(piece) == LINES_PER_PIECE:
                yield "".join(piece)
                piece = []
        yield "".join(piece)

    response = StreamedResponse(pieces(), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def ledger_xlsx(entries) -> StreamedFileResponse:
    """Return the entries as an XLSX workbook, written row by row to a temporary file and streamed from it.

    Memory stays flat however long the ledger: neither the rows nor the compressed workbook are held whole.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Ledger"))
    sheet.append(_header())
    for row in _rows(entries):
        row[1] = WriteOnlyCell(sheet, value=row[1])
        row[1].number_format = XLSX_TIME_FORMAT
        sheet.append(row)
    # Not a ``with`` block: the response closes (and so removes) the file once it has been sent.
    spool = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(spool)
    spool.seek(0)
    return StreamedFileResponse(spool, as_attachment=True, filename=_filename("xlsx"), content_type=XLSX_CONTENT_TYPE)
