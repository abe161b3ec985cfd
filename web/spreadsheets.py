"""The one spreadsheet reader of every import, the templates offered next to each import form, and the guards
against formula injection that every spreadsheet import and export of the project uses.

An import names its columns once (``Column``: the Vietnamese and English headers, other accepted names, whether it
is required and an example value). ``read_table`` reads an uploaded file by what it is, not by its name: an XLSX
workbook starts with the zip signature, anything else is read as CSV in UTF-8 (with or without the byte-order mark
Excel writes), with ``;`` or ``,`` between columns (Excel set to Vietnamese writes ``;``). ``template_workbook``
writes the headers and an example row in the user's language. A row's problems are gathered in a ``RowCheck`` so
that every error of every row is reported at once, each with its row number and column.

An imported XLSX cell holding a formula is refused (``xlsx_values``), and an exported text that a spreadsheet
program would run as a formula is written as plain text (``export_cell``).
"""

import csv
import datetime
import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

MAX_ROWS = 20_000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

UNREADABLE_XLSX = gettext_lazy("The file is not a readable Excel (.xlsx) workbook.")
OLD_XLS = gettext_lazy("The file is an old Excel (.xls) workbook: save it as .xlsx or CSV and upload it again.")
UNREADABLE_CSV = gettext_lazy("The CSV file must be encoded in UTF-8.")
EMPTY_TABLE = gettext_lazy("The file has no header row.")
TOO_MANY_ROWS = gettext_lazy("The file has more than %(max)d rows; split it into smaller files.")
MISSING_COLUMNS = gettext_lazy("Missing columns: %(columns)s.")
FORMULA_REFUSED = gettext_lazy("Cell %(cell)s holds a formula, and formulas are not accepted: type the value itself.")
BAD_DATE = gettext_lazy("“%(value)s” is not a date (use dd/mm/yyyy).")
ROW_ERROR = gettext_lazy("Row %(row)d: %(message)s")
ROW_COLUMN_ERROR = gettext_lazy("Row %(row)d, column “%(column)s”: %(message)s")
# What spreadsheet programs read as the start of a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"


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


@dataclass(frozen=True)
class Column:
    """One column of an import: its field, its headers in Vietnamese and English, and what else is accepted."""

    field: str
    vi: str
    en: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    example_vi: object = ""
    example_en: object = ""

    @property
    def names(self) -> set[str]:
        return {name.casefold() for name in (self.field, self.vi, self.en, *self.aliases)}

    @property
    def header(self) -> str:
        """The header in the user's language, as the template writes it."""
        return self.vi if (get_language() or "vi").startswith("vi") else self.en

    @property
    def example(self):
        return self.example_vi if (get_language() or "vi").startswith("vi") else self.example_en


@dataclass(frozen=True)
class RowError:
    """One problem of an import: the spreadsheet row, the column as the file names it (if any), the message."""

    row: int
    message: str
    column: str = ""

    def __str__(self):
        if self.column:
            return str(ROW_COLUMN_ERROR % {"row": self.row, "column": self.column, "message": self.message})
        return str(ROW_ERROR % {"row": self.row, "message": self.message})


class TableError(ValueError):
    """The file cannot be read as a table; ``error`` says where."""

    def __init__(self, message, *, row: int = 1):
        self.error = RowError(row, str(message))
        super().__init__(str(message))


@dataclass
class Table:
    """The rows of an uploaded file: ``(row number, {field: value})``, and each field's header as typed."""

    headers: dict[str, str]
    rows: list[tuple[int, dict[str, object]]]

    def check(self, number: int, columns: Sequence[Column] = ()) -> "RowCheck":
        return RowCheck(number, self.headers, columns)


@dataclass
class RowCheck:
    """Every problem of one row, each tied to its column; ``errors`` is empty when the row is good."""

    number: int
    headers: dict[str, str]
    columns: Sequence[Column] = ()
    errors: list[RowError] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)

    def column_name(self, name: str) -> str:
        if name in self.headers:
            return self.headers[name]
        return next((column.header for column in self.columns if column.field == name), "")

    def add(self, name: str, message) -> None:
        """Record ``message`` against the column of field ``name`` (``""`` for the row as a whole)."""
        self.failed.add(name)
        self.errors.append(RowError(self.number, str(message), self.column_name(name) if name else ""))

    def parse(self, name: str, parse: Callable[[], object]):
        """Return ``parse()``, or record its ``ValidationError`` against the column and return ``None``."""
        try:
            return parse()
        except ValidationError as error:
            for message in error.messages:
                self.add(name, message)
            return None

    def add_validation_error(self, error: ValidationError, labels: Callable[[str], str] = str) -> None:
        """Record a model's or service's ``ValidationError``; a field the file lacks is named by ``labels``."""
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.add("", message)
            return
        for name, messages in error.message_dict.items():
            self.failed.add(name)
            column = "" if name == NON_FIELD_ERRORS else (self.column_name(name) or labels(name))
            self.errors.extend(RowError(self.number, str(message), column) for message in messages)

    @property
    def ok(self) -> bool:
        return not self.errors


def field_labels(model) -> Callable[[str], str]:
    """Name a model's field as a form would, for an error on a field the file has no column for."""

    def label(name: str) -> str:
        try:
            return str(capfirst(model._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            return name

    return label


def parse_date_cell(value) -> datetime.date | None:
    """A date cell: an Excel date, or a text dd/mm/yyyy (also yyyy-mm-dd and dd-mm-yyyy); empty is ``None``."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValidationError(BAD_DATE % {"value": text})


def _kind(file) -> str:
    head = file.read(8)
    file.seek(0)
    if isinstance(head, str):
        return "csv"
    if head.startswith(ZIP_SIGNATURE):
        return "xlsx"
    if head.startswith(OLE_SIGNATURE):
        return "xls"
    name = (getattr(file, "name", "") or "").lower()
    # A file named .xlsx that is no zip archive is a damaged or mislabelled workbook, not a CSV.
    return "broken-xlsx" if name.endswith(".xlsx") else "csv"


def _xlsx_rows(file):
    try:
        workbook = load_workbook(file, read_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TableError(UNREADABLE_XLSX) from exc
    try:
        yield from xlsx_values(workbook.worksheets[0])
    except FormulaCell as exc:
        raise TableError(str(exc), row=exc.row) from exc
    finally:
        workbook.close()


def _csv_rows(file):
    raw = file.read()
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw.removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise TableError(UNREADABLE_CSV) from exc
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    # Excel set to Vietnamese exports CSV with ";" between columns, elsewhere with ",".
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    yield from csv.reader(io.StringIO(text), delimiter=delimiter)


def _rows(file):
    kind = _kind(file)
    if kind == "xls":
        raise TableError(OLD_XLS)
    if kind == "broken-xlsx":
        raise TableError(UNREADABLE_XLSX)
    return _xlsx_rows(file) if kind == "xlsx" else _csv_rows(file)


def _clean(value):
    if isinstance(value, str):
        return value.strip()
    return "" if value is None else value


def read_table(file, *, columns: Sequence[Column]) -> Table:
    """Read the first sheet of an XLSX workbook or a CSV file into the rows of ``columns``.

    The first non-empty row holds the headers, matched case-insensitively against each column's names; other
    columns are ignored. Empty rows are skipped; row numbers are those the user sees in the spreadsheet. Raises
    ``TableError`` for a file that cannot be read, has no header row, lacks a required column or is too long.
    """
    names = {name: column.field for column in columns for name in column.names}
    headers: dict[str, str] | None = None
    positions: dict[int, str] = {}
    table = []
    for number, row in enumerate(_rows(file), start=1):
        values = [_clean(value) for value in row]
        if headers is None:
            if any(value != "" for value in values):
                headers = {}
                for index, value in enumerate(values):
                    found = names.get(str(value).casefold())
                    if found and found not in headers:
                        headers[found] = str(value)
                        positions[index] = found
                missing = [column.header for column in columns if column.required and column.field not in headers]
                if missing:
                    raise TableError(MISSING_COLUMNS % {"columns": ", ".join(missing)}, row=number)
            continue
        cells = {name: values[index] for index, name in positions.items() if index < len(values)}
        if all(value == "" for value in cells.values()):
            continue
        if len(table) >= MAX_ROWS:
            raise TableError(TOO_MANY_ROWS % {"max": MAX_ROWS}, row=number)
        table.append((number, cells))
    if headers is None:
        raise TableError(EMPTY_TABLE)
    return Table(headers=headers, rows=table)


def template_workbook(columns: Sequence[Column], *, notes: Sequence[str] = ()) -> bytes:
    """An XLSX workbook with the headers of ``columns`` and an example row in the user's language.

    Required headers are bold; ``notes`` (what each column accepts) go on a second sheet, which the import ignores.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("List")
    sheet.append([column.header for column in columns])
    sheet.append([export_cell(column.example) for column in columns])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=column.required)
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(column.header) + 4)
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet(_("Instructions"))
    guide.append([_("The import reads the first sheet: keep the header row, replace the example row.")])
    guide.append([_("Headers in bold are required; a column may also be named in the other language.")])
    for note in notes:
        guide.append([str(note)])
    guide.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_response(columns: Sequence[Column], *, filename: str, notes: Sequence[str] = ()) -> HttpResponse:
    """The template of an import as a download."""
    response = HttpResponse(template_workbook(columns, notes=notes), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
