"""No internal code and no untranslated English on any page or export, walked as Vietnamese users.

The demo is seeded, then dossiers are driven to every state (submitted, at the council, at the signature,
returned, decided, rejected), so the pages have content. Each persona follows every link of every page it sees,
with GET only, from the home page, and each page and export is read for ledger event names, role and level
slugs, node names, viewflow's English and msgids left untranslated (``tests/config/raw_codes.py``).
"""

import re
from collections import deque
from io import StringIO
from urllib.parse import urldefrag, urlsplit

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase, override_settings

from benchmarks.national import lifecycle as flow
from nominations import services as nomination_services
from nominations.models import AwardType, CommendationKind, SubjectType
from notifications.models import Notification
from tests.world import build_world
from workflows.flows import NominationFlow
from workflows.models import StageOutcome

from .raw_codes import code_findings, csv_pieces, findings, html_pieces, xlsx_pieces

PERSONAS = [
    "school.submitter",
    "hc.appraiser",
    "hc.secretary",
    "hc.approver",
    "dn.auditor",
    "bca.approver",
]
HREF = re.compile(r'href="([^"#][^"]*)"')
SKIPPED_PREFIXES = ("/static/", "/media/", "/accounts/logout/", "/i18n/", "/admin/")
PAGES_PER_SHAPE = 2
VIEWFLOW_LISTS = ["/nomination/flows/", "/nomination/tasks/", "/nomination/inbox/", "/nomination/queue/"]
VIEWFLOW_LISTS += ["/nomination/archive/"]
PAGES_PER_PERSONA = 300
CSV = "text/csv"
# The dossiers' titles say their state, in Vietnamese.
LABELS = {
    "submitted": "chờ thẩm định",
    "council": "chờ Hội đồng",
    "signature": "chờ ký",
    "returned": "bị trả lại",
    "decided": "đã quyết định",
    "rejected": "không được chấp thuận",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def shape(path: str) -> str:
    return re.sub(r"/\d+(?=/|$)", "/#", path)


def _dossier(submitter, unit, award, title):
    dossier = nomination_services.dossier_create(
        actor=submitter, originating_unit=unit, title=title, kind=CommendationKind.ANNUAL, award_type=award, year=2026
    )
    nomination_services.nominee_add(
        dossier=dossier, actor=submitter, subject_type=SubjectType.INDIVIDUAL, full_name="Phạm Thị Hoa"
    )
    for document in award.required_documents.all():
        nomination_services.attachment_add(
            dossier=dossier, actor=submitter, kind=document, file=flow.pdf(f"{document.code}.pdf")
        )
    return dossier


def seed_every_state() -> None:
    """Drive the school's dossiers to each state of the flow at the ward (its award is decided there)."""
    users = {user.username: user for user in get_user_model().objects.all()}
    submitter = users["school.submitter"]
    unit = submitter.memberships.get().unit
    award = AwardType.objects.get(code="gk_chu_tich_xa")
    appraiser, secretary, approver = users["hc.appraiser"], users["hc.secretary"], users["hc.approver"]
    with flow.no_mail():
        for state in ("submitted", "council", "signature", "returned", "decided", "rejected"):
            dossier = _dossier(submitter, unit, award, f"Đề nghị Giấy khen năm học 2025-2026 — {LABELS[state]}")
            process = flow.submit(dossier, actor=submitter)
            if state == "submitted":
                continue
            flow.appraise(process, actor=appraiser, return_reason="Bổ sung báo cáo." if state == "returned" else "")
            if state in ("council", "returned"):
                continue
            flow.vote(process, actor=secretary)
            if state == "signature":
                continue
            outcome = StageOutcome.DECIDE if state == "decided" else StageOutcome.REJECT
            note = "Không đủ điều kiện." if outcome == StageOutcome.REJECT else ""
            flow.sign(process, actor=approver, outcome=outcome, note=note)


@override_settings(LANGUAGE_CODE="vi")
class RawCodeWalkTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_world()
        call_command("seed_demo", stdout=StringIO())
        seed_every_state()
        cls.names = sorted(get_user_model().objects.values_list("username", flat=True), key=len, reverse=True)

    def read(self, url: str, response) -> list[str]:
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html"):
            pieces = html_pieces(response.content.decode())
        elif content_type.startswith(CSV):
            pieces = csv_pieces(b"".join(response.streaming_content if response.streaming else [response.content]))
        elif content_type.startswith(XLSX):
            pieces = xlsx_pieces(b"".join(response.streaming_content if response.streaming else [response.content]))
        else:
            return []
        return [f"{url}: {finding}" for finding in findings(pieces, ignore=self.names)]

    def walk(self, username: str) -> tuple[list[str], int]:
        self.client.force_login(get_user_model().objects.get(username=username))
        self.client.cookies["django_language"] = "vi"
        # Besides the home page: the exports, and viewflow's lists (only some of them are in the menu).
        start = ["/", "/audit/export.csv", "/audit/export.xlsx", *VIEWFLOW_LISTS]
        queue, seen, shapes, problems = deque(start), set(start), {}, []
        visited = 0
        while queue and visited < PAGES_PER_PERSONA:
            url = queue.popleft()
            visited += 1
            response = self.client.get(url)
            if response.status_code in (301, 302, 303) and response.url.startswith("/"):
                links = [response.url]
            elif response.status_code == 200:
                problems += self.read(url, response)
                html = response.get("Content-Type", "").startswith("text/html")
                links = HREF.findall(response.content.decode()) if html else []
            else:
                continue
            for link in links:
                link = urldefrag(link.replace("&amp;", "&"))[0]
                parts = urlsplit(link)
                if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                    continue
                if parts.path.startswith(SKIPPED_PREFIXES) or link in seen:
                    continue
                key = shape(parts.path)
                if shapes.get(key, 0) >= PAGES_PER_SHAPE:
                    continue
                shapes[key] = shapes.get(key, 0) + 1
                seen.add(link)
                queue.append(link)
        return problems, visited

    def test_no_page_or_export_shows_a_code_or_english(self):
        for username in PERSONAS:
            with self.subTest(user=username):
                problems, visited = self.walk(username)
                self.assertGreater(visited, 5, "the walk found almost nothing to visit")
                self.assertEqual(sorted(set(problems)), [])

    def test_the_walk_fails_on_a_planted_code(self):
        """A notification titled with the ledger's raw event name, as they used to be, is found and named."""
        user = get_user_model().objects.get(username="hc.approver")
        Notification.objects.create(
            recipient=user, event="decision.issued", title="decision.issued", body="Process summary", email_mode="none"
        )
        self.client.force_login(user)
        response = self.client.get("/notifications/")
        problems = self.read("/notifications/", response)
        self.assertIn("/notifications/: code 'decision.issued' in 'decision.issued'", problems)
        self.assertIn("/notifications/: English 'Process summary' in 'Process summary'", problems)

    def test_node_names_and_slugs_are_codes(self):
        node = NominationFlow.commune_entry.name
        self.assertTrue(findings([f"Bước {node}"]))
        self.assertTrue(findings(["Commune_Entry"]) or findings(["Commune Entry"]))
        self.assertTrue(findings(["Nguyễn Văn A (appraiser)"]))
        self.assertTrue(findings(["Thẩm định · commune"]))
        self.assertTrue(findings(['{"nominees": [1, 2]}']))
        self.assertEqual(findings(["Ủy ban nhân dân Phường Hải Châu", "Giấy khen", "06/12/2026 14:30"]), [])

    def test_english_pages_are_read_for_codes_that_are_no_english_words(self):
        """The English interface's check: codes with their underscores and dots, and viewflow's headers."""
        node = NominationFlow.commune_appraise.name
        self.assertTrue(code_findings([f"Step {node}"]))
        self.assertTrue(code_findings(["Notice: decision.issued"]))
        self.assertTrue(code_findings(["Commune_Entry"]))
        self.assertTrue(code_findings(["Process id"]))
        self.assertTrue(code_findings(['{"nominees": [1, 2]}']))
        self.assertEqual(code_findings(["Returned for supplement", "See the decided dossiers", "Appraiser"]), [])
