from django.db import connection
from django.test.utils import CaptureQueriesContext

from nominations import services
from org_hierarchy.models import Role
from tests.documents.support import DECISION_DATE, DocumentsTestCase


class AwardRegisterTests(DocumentsTestCase):
    URL = "/dossiers/register/"

    def test_approvers_and_auditors_see_the_awards_of_their_scope_only(self):
        decision, submitter = self.decided(nominees=2)
        self.login(self.head)
        page = self.client.get(self.URL)
        self.assertEqual(page.status_code, 200)
        for record in decision.records.all():
            self.assertContains(page, record.subject_name)
        self.assertContains(page, "01/QĐ-UBND")

        self.act_as(Role.AUDITOR, self.world.danang_pc)
        self.assertContains(self.client.get(self.URL), "Chi hội Phụ nữ Tổ 12")

        self.act_as(Role.APPROVER, self.world.thanhkhe_pc)
        self.assertNotContains(self.client.get(self.URL), "Chi hội Phụ nữ Tổ 12")

        self.login(submitter)
        self.assertEqual(self.client.get(self.URL).status_code, 403)

    def test_the_register_is_searched_by_name_unit_award_year_subject_and_status(self):
        decision, _submitter = self.decided(nominees=2)
        self.login(self.head)
        by_name = self.client.get(self.URL, {"name": "phụ nữ"})
        self.assertContains(by_name, "Chi hội Phụ nữ Tổ 12")
        self.assertNotContains(by_name, "Hộ ông Lê Văn Ánh")
        by_kind = self.client.get(self.URL, {"subject_type": "household"})
        self.assertContains(by_kind, "Hộ ông Lê Văn Ánh")
        self.assertNotContains(by_kind, "Chi hội Phụ nữ")
        self.assertContains(self.client.get(self.URL, {"unit": "Tổ dân phố 12"}), "Hộ ông Lê Văn Ánh")
        self.assertNotContains(self.client.get(self.URL, {"year": 2019}), "Hộ ông Lê Văn Ánh")
        award_type = decision.dossier.award_type_id
        self.assertContains(self.client.get(self.URL, {"award_type": award_type}), "Hộ ông Lê Văn Ánh")
        household = decision.records.get(subject_type="household")
        services.award_revoke(
            award=household, actor=self.head, reason="Sai.", reference="3/QĐ-UBND", revoked_on=DECISION_DATE
        )
        revoked = self.client.get(self.URL, {"status": "revoked"})
        self.assertContains(revoked, "Hộ ông Lê Văn Ánh")
        self.assertNotContains(revoked, "Chi hội Phụ nữ")
        self.assertEqual(self.client.get(self.URL, {"year": "abc"}).status_code, 400)

    def test_the_page_costs_the_same_queries_for_n_and_2n_awards(self):
        self.decided(nominees=2)
        self.login(self.head)
        self.client.get(self.URL)
        with CaptureQueriesContext(connection) as small:
            self.client.get(self.URL)
        self.decided(nominees=5)
        self.decided(nominees=5)
        with CaptureQueriesContext(connection) as large:
            self.client.get(self.URL)
        self.assertEqual(len(small), len(large))
