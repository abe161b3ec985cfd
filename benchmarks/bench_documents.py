"""Rendering time and peak memory of a decision's documents: a 1,000-nominee decision with its annex, the merged
certificates, and one awardee's certificate.

Usage: ``.venv/bin/python benchmarks/bench_documents.py [nominees] [single_rounds]`` (defaults 1,000 and 50).

The documents are rendered from model instances built in memory (the shapes ``documents.services`` passes to
``documents.rendering``: a ward People's Committee's decision signed by a deputy for the chair, individuals with
position and workplace, a few collectives and households); no database is touched, so what is measured is the
rendering (the template, WeasyPrint's layout and the PDF), which is all of a document's cost but one read of the
awards. Each measurement runs in a fresh child process forked from a parent that has imported Django and
WeasyPrint, as a tasks worker or an ASGI worker would have; the child's peak resident memory (``ru_maxrss``) is
the worker's peak for that document. The merged certificates are rendered as the documents worker renders them
(``certificates_pdf_joined``: ``MERITFLOW_CERTIFICATE_BATCH`` per WeasyPrint document, joined). Each figure
comes with its CPU time, the part of it the machine's load does not inflate. Targets (issue 13): decision with
annex < 10 s, certificates < 100 ms each.
"""

import datetime
import os
import resource
import statistics
import sys
import time
from multiprocessing import get_context
from pathlib import Path

import django

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from documents import rendering  # noqa: E402
from nominations.models import (  # noqa: E402
    AwardForm,
    AwardRecord,
    AwardType,
    Decision,
    Dossier,
    Gender,
    Nominee,
    SubjectType,
)
from nominations.services.decisions import verification_code  # noqa: E402
from org_hierarchy.models import Branch, Level, OrgUnit  # noqa: E402

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Đức", "Thu"]
GIVEN = ["Anh", "Bình", "Châu", "Dũng", "Hà", "Hạnh", "Khoa", "Lộc", "Nguyệt", "Phương", "Quý", "Tuấn", "Yến"]


def build(nominees: int) -> tuple[Decision, list[AwardRecord]]:
    User = get_user_model()
    issuer = OrgUnit(
        pk=1,
        name="Ủy ban nhân dân Phường Hải Châu",
        short_name="UBND",
        division_type="Phường",
        branch=Branch.CIVIL,
        level=Level.COMMUNE,
    )
    origin = OrgUnit(
        pk=2, name="Tổ dân phố 12, Phường Hải Châu", short_name="TDP12", branch=Branch.CIVIL, level=Level.UNIT
    )
    award_type = AwardType(
        pk=1,
        code="gk_chu_tich_xa",
        name_vi="Giấy khen của Chủ tịch Ủy ban nhân dân cấp xã",
        form=AwardForm.GIAY_KHEN,
        deciding_branch=Branch.CIVIL,
        deciding_level=Level.COMMUNE,
    )
    dossier = Dossier(
        pk=1,
        originating_unit=origin,
        award_type=award_type,
        title="Khen thưởng phong trào năm 2026",
        year=2026,
        letter_number="12/TTr-TDP",
        letter_date=datetime.date(2026, 8, 1),
    )
    head = User(pk=1, username="head", full_name="Trần Thị Thu Hà", position="Chủ tịch")
    deputy = User(pk=2, username="deputy", full_name="Lê Văn Phó", position="Phó Chủ tịch")
    decision = Decision(
        pk=1,
        dossier=dossier,
        issuer_unit=issuer,
        number=125,
        year=2026,
        symbol="QĐ-UBND",
        decision_date=datetime.date(2026, 8, 19),
        signer=deputy,
        acting_for=head,
    )
    records = []
    for index in range(nominees):
        subject = (
            SubjectType.COLLECTIVE
            if index % 50 == 0
            else (SubjectType.HOUSEHOLD if index % 50 == 1 else SubjectType.INDIVIDUAL)
        )
        name = f"{FAMILY[index % 10]} {MIDDLE[index % 8]} {GIVEN[index % 13]}"
        if subject == SubjectType.COLLECTIVE:
            name = f"Chi hội Phụ nữ Tổ dân phố {index}"
        elif subject == SubjectType.HOUSEHOLD:
            name = f"Hộ gia đình ông {name}"
        nominee = Nominee(
            pk=index + 1,
            dossier=dossier,
            list_position=index,
            subject_type=subject,
            full_name=name,
            gender=Gender.FEMALE if index % 2 else Gender.MALE,
            position="Tổ trưởng tổ dân phố",
            workplace="Tổ dân phố 12, Phường Hải Châu",
            achievement_summary="Hoàn thành xuất sắc nhiệm vụ năm 2026",
        )
        record = AwardRecord(
            pk=index + 1,
            subject_type=subject,
            subject_name=name,
            award_type=award_type,
            title=award_type.name_vi,
            year=2026,
            decision_number=decision.number_display,
            decision_date=decision.decision_date,
            issuer=issuer.name,
            golden_book_number=index + 1,
            verification_code=verification_code(),
        )
        record.nominee = nominee
        record.decision = decision
        records.append(record)
    return decision, records


def measure(job: str, nominees: int, rounds: int, results) -> None:
    """Render ``job`` and report its wall-clock and CPU times: on a shared machine the CPU time is the document's
    own cost, the wall-clock time also what the other processes took of the cores meanwhile."""
    decision, records = build(nominees)
    if job == "single":
        rendering.certificates_pdf(decision, [records[-1]])  # the worker's first document parses the stylesheet
    timings = []
    for chunk in [records] if job != "single" else [[record] for record in records[:rounds]]:
        begin, cpu = time.perf_counter(), time.process_time()
        if job == "decision":
            pages = rendering.decision_pdf(decision, chunk)
        elif job == "merged":
            pages = rendering.certificates_pdf_joined(decision, chunk)
        else:
            pages = rendering.certificates_pdf(decision, chunk)
        timings.append((time.perf_counter() - begin, time.process_time() - cpu))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.put((job, timings, len(pages), peak_mib))


def main() -> None:
    nominees = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    context = get_context("fork")
    parent_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{nominees} nominees; parent process after start-up: {parent_mib:.0f} MiB")
    for job in ("decision", "single", "merged"):
        results = context.Queue()
        child = context.Process(target=measure, args=(job, nominees, rounds, results))
        child.start()
        name, timings, size, peak = results.get()
        child.join()
        if name == "single":
            wall = [seconds * 1000 for seconds, _cpu in timings]
            cpu = [seconds * 1000 for _wall, seconds in timings]
            print(
                f"one certificate: median {statistics.median(wall):.0f} ms (CPU {statistics.median(cpu):.0f} ms), "
                f"mean {statistics.mean(wall):.0f} ms, max {max(wall):.0f} ms over {len(timings)} renders; "
                f"{size / 1024:.0f} KiB each; peak {peak:.0f} MiB"
            )
        else:
            ((wall, cpu),) = timings
            label = "decision with annex" if name == "decision" else "merged certificates"
            per = f", {wall / nominees * 1000:.0f} ms per certificate" if name == "merged" else ""
            print(f"{label}: {wall:.2f} s (CPU {cpu:.2f} s){per}; {size / 1024:.0f} KiB; peak {peak:.0f} MiB")


if __name__ == "__main__":
    main()
