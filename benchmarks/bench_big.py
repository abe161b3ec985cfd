"""Big decisions and big imports: one decision awarding 1,000 nominees, one XLSX list of 5,000 nominees.

Usage: ``DATABASE_URL=postgres://… .venv/bin/python benchmarks/bench_big.py [decision nominees] [import rows]``
(defaults 1,000 and 5,000). PostgreSQL only: fsync, row locks and bulk statements are what is measured.

Creates a throw-away database (``test_<name>``), imports the national tree and a few hundred officers with
``generate_national_data``'s own steps, then:

- imports a generated workbook of ``import rows`` nominees (the import's real format: Vietnamese headers, a
  citizen ID, gender and date of birth per row) into a complete draft of the Minister of Public Security's Bằng
  khen through ``nominees_import_xlsx``, and once more into a second draft through the upload page;
- fills two more drafts with ``decision nominees`` nominees the same way and takes both along the ministry route
  (ward police, provincial police, the Ministry: appraise, council vote, the head's signature at each stage) as
  the task views run the steps; in the first, a tenth of the nominees fall below the threshold at the first
  council vote, and it is signed by the Minister through the step service as the task view calls it; the second
  keeps every nominee and is signed through the task page with the test client (one keep box per nominee);
- times, as their readers, the pages that list every nominee: the council-vote page, the sign page, the dossier
  page and the journey page, and the ledger export (CSV and XLSX) of the decision's entry, whose data lists every
  awarded nominee. There is no export of a decision itself.

Each line gives the wall-clock time, the CPU time of this process, the SQL statements and, for the writes, the
statements per nominee (for pages: the size of the response and the table rows it shows).
"""

import io
import os
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from viewflow.workflow.models import Task  # noqa: E402
from viewflow.workflow.status import STATUS  # noqa: E402

from audit.events import AuditEvent  # noqa: E402
from benchmarks.national import lifecycle  # noqa: E402
from benchmarks.national.generator import Command as Generator  # noqa: E402
from nominations import services as nomination_services  # noqa: E402
from nominations.models import AwardType, NomineeOutcome  # noqa: E402
from org_hierarchy.models import Branch, Level, OrgUnit, Role  # noqa: E402
from workflows.models import StageOutcome  # noqa: E402
from workflows.selectors import node_url  # noqa: E402

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ("Họ và tên", "Số CCCD", "Giới tính", "Ngày sinh", "Chức vụ", "Đơn vị công tác", "Tóm tắt thành tích")


class Measure:
    """Wall-clock time, this process's CPU time and SQL statements of a block.

    On a busy machine the wall-clock time moves with the load; the CPU time of the Django process (the server's
    share excluded) and the statement count are the stable figures.
    """

    def __enter__(self):
        self.statements = 0
        self.wrapper = connection.execute_wrapper(self)
        self.wrapper.__enter__()
        self.started, self.cpu_started = time.perf_counter(), time.process_time()
        return self

    def __call__(self, execute, sql, params, many, context):
        self.statements += 1
        return execute(sql, params, many, context)

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started
        self.cpu = time.process_time() - self.cpu_started
        self.wrapper.__exit__(*exc)


def report(label: str, measure: Measure, per: int = 0, extra: str = "") -> None:
    line = f"{label:38} {measure.seconds:6.2f} s  CPU {measure.cpu:6.2f} s  {measure.statements:3d} SQL"
    if per:
        line += f"  ({measure.statements / per:.2f} per nominee)"
    print(line + (f"  {extra}" if extra else ""), flush=True)


def workbook(rows: int, start: int = 0) -> SimpleUploadedFile:
    """A nominee list as units prepare it from the official form (write-only, as a big export would be)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Danh sách")
    sheet.append(HEADERS)
    for n in range(start, start + rows):
        sheet.append(
            [
                f"Nguyễn Văn Người {n}",
                f"{48_100_000_000 + n:012d}",
                "Nam" if n % 2 else "Nữ",
                f"{1 + n % 28:02d}/{1 + n % 12:02d}/{1970 + n % 30}",
                "Chiến sĩ",
                "Công an phường Hải Châu",
                "Hoàn thành xuất sắc nhiệm vụ năm 2025.",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("danh-sach-de-nghi.xlsx", buffer.getvalue(), content_type=XLSX)


def open_task(process) -> Task:
    return Task.objects.get(process_id=process.pk, flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED])


def page(client: Client, label: str, url: str) -> None:
    client.get(url)  # warm-up: templates and translations loaded once per process
    with Measure() as measure:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, (label, url, response.status_code)
    report(label, measure, extra=f"{len(body) / 1024:7.0f} KiB, {body.count(b'<tr')} table rows")


def import_bench(generator: Generator, award: AwardType, rows: int) -> None:
    dossier, submitter = generator.make_draft(0, award)
    file = workbook(rows)
    with lifecycle.acting_as(submitter), Measure() as measure:
        created = nomination_services.nominees_import_xlsx(dossier=dossier, actor=submitter, file=file)
    assert len(created) == rows
    report(f"import {rows} nominees, service", measure, per=rows)
    dossier, submitter = generator.make_draft(1, award)
    client = Client()
    client.force_login(submitter)
    url = reverse("nominations:nominee_import", args=[dossier.pk])
    file = workbook(rows, start=rows)
    with Measure() as measure:
        response = client.post(url, {"file": file})
    assert response.status_code == 302, response.status_code
    assert dossier.nominees.count() == rows
    report(f"import {rows} nominees, upload page", measure, per=rows)


def filled_draft(generator: Generator, award: AwardType, index: int, nominees: int):
    dossier, submitter = generator.make_draft(index, award)
    with lifecycle.acting_as(submitter):
        nomination_services.nominees_import_xlsx(
            dossier=dossier, actor=submitter, file=workbook(nominees, start=100_000 * index)
        )
    return dossier, submitter


def to_ministry_vote(generator: Generator, dossier, submitter, nominees: int, *, show: bool, failing: int = 0):
    """Submit and take the dossier through the two lower stages and the Ministry's appraisal; return the process.

    At the first council vote, ``failing`` nominees fall below the threshold and are dropped.
    """
    with Measure() as measure:
        process = lifecycle.submit(dossier, actor=submitter)
    if show:
        report("submit", measure, per=nominees)
    route = [unit_id for _level, unit_id in process.route]
    below = frozenset(lifecycle.pending_ids(process)[:failing])
    for unit_id in route:
        where = OrgUnit.objects.get(pk=unit_id).short_name
        with Measure() as measure:
            lifecycle.appraise(process, actor=generator.officer(unit_id, Role.APPRAISER))
        if show:
            report(f"appraise at {where}", measure, per=nominees)
        if unit_id == route[-1]:
            return process, route
        with Measure() as measure:
            lifecycle.vote(process, actor=generator.officer(unit_id, Role.SECRETARY), failing=below)
        if show:
            report(f"vote at {where}" + (f", {len(below)} below the threshold" if below else ""), measure, per=nominees)
        below = frozenset()
        with Measure() as measure:
            lifecycle.sign(process, actor=generator.officer(unit_id, Role.APPROVER), outcome=StageOutcome.FORWARD)
        if show:
            report(f"sign and forward at {where}", measure, per=nominees)
    raise AssertionError("the route has no last stage")


def decision_bench(generator: Generator, award: AwardType, nominees: int) -> None:
    service_dossier, submitter = filled_draft(generator, award, 2, nominees)
    failing = nominees // 10
    process, route = to_ministry_vote(generator, service_dossier, submitter, nominees, show=True, failing=failing)
    ministry = route[-1]
    secretary = generator.officer(ministry, Role.SECRETARY)
    with Measure() as measure:
        lifecycle.vote(process, actor=secretary)
    report("vote at the Ministry", measure, per=nominees)
    minister = generator.officer(ministry, Role.APPROVER)
    with Measure() as measure:
        lifecycle.sign(process, actor=minister, outcome=StageOutcome.DECIDE)
    report("sign and decide (step service)", measure, per=nominees)
    assert service_dossier.nominees.filter(outcome=NomineeOutcome.AWARDED).count() == nominees - failing

    view_dossier, submitter = filled_draft(generator, award, 3, nominees)
    process, route = to_ministry_vote(generator, view_dossier, submitter, nominees, show=False)
    client = Client()
    client.force_login(secretary)
    task = open_task(process)
    page(client, "council-vote page (GET)", node_url(task.flow_task, "execute", process.pk, task.pk))
    lifecycle.vote(process, actor=secretary)
    task = open_task(process)
    url = node_url(task.flow_task, "execute", process.pk, task.pk)
    client.force_login(minister)
    page(client, "sign page (GET)", url)
    data = {"outcome": StageOutcome.DECIDE, "note": ""}
    data |= {f"keep_{pk}": "on" for pk in lifecycle.pending_ids(process)}
    with Measure() as measure:
        response = client.post(url, data)
    assert response.status_code == 302, response.status_code
    assert view_dossier.nominees.filter(outcome=NomineeOutcome.AWARDED).count() == nominees
    report("sign and decide (task page POST)", measure, per=nominees)

    client.force_login(submitter)
    page(client, "dossier page, decided (submitter)", reverse("nominations:dossier_detail", args=[view_dossier.pk]))
    page(client, "journey page, decided (submitter)", reverse("workflows:process", args=[process.pk]))
    auditor = generator.officer(ministry, Role.AUDITOR)
    client.force_login(auditor)
    query = f"?unit={ministry}&event={AuditEvent.DECISION_ISSUED.value}"
    page(client, "ledger export of the decisions, CSV", reverse("audit:export", args=["csv"]) + query)
    page(client, "ledger export of the decisions, XLSX", reverse("audit:export", args=["xlsx"]) + query)


def main() -> None:
    nominees = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    if connection.vendor != "postgresql":
        sys.exit("bench_big needs PostgreSQL: set DATABASE_URL=postgres://…")
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT version(), current_setting('fsync')")
            version, fsync = cursor.fetchone()
        print(
            f"database: {version.split(' on ')[0]}, fsync {fsync}; "
            f"load average before the run: {', '.join(f'{x:.1f}' for x in os.getloadavg())}"
        )
        generator = Generator(stdout=open(os.devnull, "w"))  # noqa: SIM115 (lives as long as the process)
        generator.prepare(users=400, nominees_per_dossier=0, seed=1)
        award = AwardType.objects.get(code="bk_bo_truong_cong_an")
        assert OrgUnit.objects.filter(branch=Branch.SECURITY, level=Level.MINISTRY).exists()
        with lifecycle.no_mail(), override_settings(ALLOWED_HOSTS=["testserver"]):
            import_bench(generator, award, rows)
            decision_bench(generator, award, nominees)
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
