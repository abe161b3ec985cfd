"""Reading the lists units prepare in spreadsheets (XLSX, or CSV for the award registry).

The first row holds the column headers; each header is matched, case-insensitively, against the accepted names
of a field (English or Vietnamese), so a list prepared from the official forms imports as it is.
"""

import csv
import datetime
import io
import zipfile

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from org_hierarchy.spreadsheets import FormulaCell, xlsx_values

MAX_ROWS = 20_000


class SpreadsheetError(Exception):
    def __init__(self, row: int, message: str):
        super().__init__(message)
        self.row = row
        self.message = message


def _header_map(headers, columns: dict[str, tuple[str, ...]], required) -> dict[int, str]:
    names = {alias.casefold(): field for field, aliases in columns.items() for alias in aliases}
    mapping = {
        index: names[str(header).strip().casefold()]
        for index, header in enumerate(headers)
        if header is not None and str(header).strip().casefold() in names
    }
    missing = [field for field in required if field not in mapping.values()]
    if missing:
        accepted = "; ".join(" / ".join(columns[field]) for field in missing)
        raise SpreadsheetError(1, _("Missing column: %(columns)s.") % {"columns": accepted})
    return mapping


def _xlsx_rows(file):
    try:
        workbook = load_workbook(file, read_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise SpreadsheetError(0, _("The file is not a readable XLSX workbook.")) from error
    try:
        yield from xlsx_values(workbook.worksheets[0])
    except FormulaCell as error:
        raise SpreadsheetError(error.row, str(error)) from error
    finally:
        workbook.close()


def _csv_rows(file):
    raw = file.read()
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as error:
        raise SpreadsheetError(0, _("The CSV file must be encoded in UTF-8.")) from error
    yield from csv.reader(io.StringIO(text))


def read_rows(file, *, columns: dict[str, tuple[str, ...]], required=()) -> list[tuple[int, dict]]:
    """Return ``[(row number, {field: value})]`` for the non-empty data rows of the first sheet."""
    name = getattr(file, "name", "") or ""
    rows = _csv_rows(file) if name.lower().endswith(".csv") else _xlsx_rows(file)
    headers = next(rows, None)
    if headers is None:
        raise SpreadsheetError(1, _("The file is empty."))
    mapping = _header_map(headers, columns, required)
    result = []
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            raise SpreadsheetError(number, _("The file has more than %(max)d rows.") % {"max": MAX_ROWS})
        values = {field: row[index] for index, field in mapping.items() if index < len(row)}
        if all(value in (None, "") for value in values.values()):
            continue
        result.append((number, values))
    return result


def row_error_text(error: ValidationError, model) -> str:
    """Return a row's errors as one line, each prefixed with the column's label so the user finds the cell."""
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    parts = []
    for field, messages in error.message_dict.items():
        label = capfirst(model._meta.get_field(field).verbose_name) if field != NON_FIELD_ERRORS else ""
        parts.extend(f"{label}: {message}" if label else message for message in messages)
    return " ".join(parts)


def parse_date_cell(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValidationError(_("“%(value)s” is not a date (use dd/mm/yyyy).") % {"value": text})
