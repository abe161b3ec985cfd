"""The one spreadsheet reader of every import: XLSX or CSV told apart by their bytes, Excel's Vietnamese CSV, every
error of a row at once with its column."""

import io

from django.test import SimpleTestCase
from django.utils import translation
from openpyxl import Workbook, load_workbook

from web.spreadsheets import Column, TableError, read_table, template_workbook

COLUMNS = (
    Column("full_name", "Họ và tên", "Full name", ("name",), True, "Nguyễn Văn An", "Nguyen Van An"),
    Column("date_of_birth", "Ngày sinh", "Date of birth", (), False, "15/03/1985", "15/03/1985"),
)


def upload(content: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def workbook_bytes(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class ReadTableTests(SimpleTestCase):
    def test_csv_as_vietnamese_excel_writes_it_semicolons_and_a_byte_order_mark(self):
        content = "\ufeffHọ và tên;Ngày sinh\nTrần Thị Bình;01/02/1980\n;\nLê Văn C;\n".encode()
        table = read_table(upload(content, "danh-sach.csv"), columns=COLUMNS)
        self.assertEqual(table.headers, {"full_name": "Họ và tên", "date_of_birth": "Ngày sinh"})
        self.assertEqual(
            table.rows,
            [
                (2, {"full_name": "Trần Thị Bình", "date_of_birth": "01/02/1980"}),
                (4, {"full_name": "Lê Văn C", "date_of_birth": ""}),
            ],
        )

    def test_csv_with_commas_and_no_byte_order_mark(self):
        table = read_table(upload(b"name,notes\nAn,x\n", "a.csv"), columns=COLUMNS)
        self.assertEqual(table.rows, [(2, {"full_name": "An"})])

    def test_the_kind_is_read_from_the_bytes_not_the_name(self):
        workbook = workbook_bytes([["Full name"], ["An"]])
        self.assertEqual(read_table(upload(workbook, "list.csv"), columns=COLUMNS).rows, [(2, {"full_name": "An"})])
        self.assertEqual(
            read_table(upload(b"Full name\nAn\n", "list.txt"), columns=COLUMNS).rows[0][1]["full_name"], "An"
        )

    def test_files_that_are_not_tables_say_why(self):
        cases = [
            (upload(b"not a workbook", "a.xlsx"), "The file is not a readable Excel (.xlsx) workbook."),
            (upload(b"PK\x03\x04 broken", "a.csv"), "The file is not a readable Excel (.xlsx) workbook."),
            (upload(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "a.xls"), "The file is an old Excel (.xls)"),
            (upload("Họ và tên\n".encode("utf-16"), "a.csv"), "The CSV file must be encoded in UTF-8."),
            (upload(b"\n\n", "a.csv"), "The file has no header row."),
            (upload(b"Notes\nx\n", "a.csv"), "Missing columns: Full name."),
        ]
        for file, message in cases:
            with self.subTest(message), translation.override("en"):
                with self.assertRaises(TableError) as caught:
                    read_table(file, columns=COLUMNS)
                self.assertTrue(str(caught.exception.error).startswith(f"Row 1: {message}"), caught.exception.error)

    def test_a_row_check_keeps_every_problem_with_its_column(self):
        table = read_table(upload(b"name,date_of_birth\n,31/02/1990\n", "a.csv"), columns=COLUMNS)
        check = table.check(2, COLUMNS)
        check.add("full_name", "empty")
        check.add("date_of_birth", "not a date")
        check.add("", "the row")
        with translation.override("en"):
            self.assertEqual(
                [str(error) for error in check.errors],
                ["Row 2, column “name”: empty", "Row 2, column “date_of_birth”: not a date", "Row 2: the row"],
            )
        self.assertEqual(check.failed, {"full_name", "date_of_birth", ""})

    def test_the_template_has_the_headers_of_the_language_and_an_example_row_it_reads_back(self):
        for language, header, example in (("vi", "Họ và tên", "Nguyễn Văn An"), ("en", "Full name", "Nguyen Van An")):
            with self.subTest(language), translation.override(language):
                content = template_workbook(COLUMNS, notes=["A note"])
                sheet = load_workbook(io.BytesIO(content)).worksheets[0]
                self.assertEqual([cell.value for cell in sheet[1]], [header, COLUMNS[1].header])
                self.assertTrue(sheet["A1"].font.bold)
                table = read_table(upload(content, "template.xlsx"), columns=COLUMNS)
                self.assertEqual(table.rows, [(2, {"full_name": example, "date_of_birth": "15/03/1985"})])
