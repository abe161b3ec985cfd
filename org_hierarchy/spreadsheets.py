"""Read an uploaded CSV or XLSX table into rows keyed by column name, with spreadsheet row numbers.

Also the two guards against formula injection that every spreadsheet import and export of the project uses: an
imported XLSX cell holding a formula is refused (``xlsx_values``), and an exported text that a spreadsheet program
would run as a formula is written as plain text (``export_cell``).
"""

import csv
import io
import zipfile
from pathlib import PurePath

from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

MAX_ROWS = 20_000

UNREADABLE_XLSX = gettext_lazy("The file is not a readable Excel (.xlsx) workbook.")
UNREADABLE_CSV = gettext_lazy("The CSV file must be encoded in UTF-8.")
EMPTY_TABLE = gettext_lazy("The file has no header row.")
TOO_MANY_ROWS = gettext_lazy("The file has more than %(max)d rows; split it into smaller files.")
FORMULA_REFUSED = gettext_lazy("Cell %(cell)s holds a formula, and formulas are not accepted: type the value itself.")
# What spreadsheet programs read as the start of a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class FormulaCell(ValueError):
    """An imported XLSX cell holds a formula."""

    def __init__(self, cell):
        self.row = cell.row
        super().__init__(str(FORMULA_REFUSED % {"cell": cell.coordinate}))


def export_cell(value):
    """Return ``value`` as an export writes it: a text a spreadsheet would run as a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_values(worksheet):
    """Yield the rows of a read-only worksheet as tuples of values; a formula cell raises ``FormulaCell``.

    The workbook is opened with its formulas (not ``data_only``): the value a formula last computed is not what the
    user typed, and a formula never computed reads as an empty cell.
    """
    for row in worksheet.iter_rows():
        values = []
        for cell in row:
            if cell.data_type == "f":
                raise FormulaCell(cell)
            values.append(cell.value)
        yield tuple(values)


class TableError(ValueError):
    """The file cannot be read as a table."""


def _is_xlsx(file, name: str) -> bool:
    if PurePath(name).suffix.lower() == ".xlsx":
        return True
    head = file.read(4)
    file.seek(0)
    # An .xlsx workbook is a zip archive; a CSV never starts with the zip signature.
    return head == b"PK\x03\x04"


def _xlsx_rows(file):
    try:
        workbook = load_workbook(file, read_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TableError(str(UNREADABLE_XLSX)) from exc
    try:
        yield from xlsx_values(workbook.worksheets[0])
    except FormulaCell as exc:
        raise TableError(str(exc)) from exc
    finally:
        workbook.close()


def _csv_rows(file):
    try:
        text = file.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(str(UNREADABLE_CSV)) from exc
    first_line = text.split("\n", 1)[0]
    # Excel set to Vietnamese exports CSV with ";" between columns, elsewhere with ",".
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    yield from csv.reader(io.StringIO(text), delimiter=delimiter)


def _clean(value):
    if isinstance(value, str):
        return value.strip()
    return "" if value is None else value


def read_table(file, *, name: str = "") -> tuple[list[str], list[tuple[int, dict[str, object]]]]:
    """Return the column names and ``(row number, {column: value})`` for every non-empty row after the header.

    Column names are lower-cased and stripped; row numbers are those the user sees in the spreadsheet.
    """
    name = name or getattr(file, "name", "") or ""
    rows = _xlsx_rows(file) if _is_xlsx(file, name) else _csv_rows(file)
    header = None
    table = []
    for number, row in enumerate(rows, start=1):
        values = [_clean(value) for value in row]
        if header is None:
            if any(values):
                header = [str(value).lower() for value in values]
            continue
        if not any(value not in ("", None) for value in values):
            continue
        if len(table) >= MAX_ROWS:
            raise TableError(TOO_MANY_ROWS % {"max": MAX_ROWS})
        table.append((number, dict(zip(header, values, strict=False))))
    if header is None:
        raise TableError(str(EMPTY_TABLE))
    return header, table
