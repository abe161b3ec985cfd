"""Revoked awards: their own column everywhere the counts are, and no longer among the awards in force."""

import datetime
import io

from django.urls import reverse
from openpyxl import load_workbook

from nominations import services
from nominations.models import AwardRecord
from org_hierarchy.models import Role
from tests.base import grant
from tests.nominations.support import NominationsTestCase

from .support import build_danang_2024, campaign
from .test_statistics import CITY_CHAIR, award_row, sheet_rows, values
from .test_yearly import report_url

AWARDED, REVOKED = 4, 5


class RevokedCountTests(NominationsTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.campaign = campaign(cls.world)
        cls.dossiers = build_danang_2024(cls.world, cls.campaign)
        decision = cls.dossiers["thanhkhe"].decision
        head = grant(Role.APPROVER, decision.issuer_unit)
        cls.revoked = AwardRecord.objects.filter(decision=decision, subject_type="collective").order_by("pk").first()
        services.award_revoke(
            award=cls.revoked,
            actor=head,
            reason="Kê khai thành tích không trung thực.",
            reference="25/QĐ-UBND",
            revoked_on=datetime.date(2025, 3, 2),
        )

    def setUp(self):
        super().setUp()
        self.act_as(Role.AUDITOR, self.world.danang_pc)

    def test_the_statistics_count_the_revoked_award_apart(self):
        response = self.client.get(reverse("reports:statistics"), {"year": 2024, "province": "48"})
        self.assertContains(response, "Đã hủy bỏ")
        # proposed, awarded individuals, collectives, households, awarded in force, revoked, ...
        self.assertEqual(values(award_row(response, CITY_CHAIR))[:6], [35, 7, 23, 0, 30, 1])
        total = values({"cells": response.context["total"]})
        self.assertEqual(total[AWARDED], 30)
        self.assertEqual(total[REVOKED], 1)
        # Thanh Khê's line, in the drill-down below the city.
        city = self.client.get(reverse("reports:statistics"), {"year": 2024, "unit": self.world.danang_pc.pk})
        lines = {row["label"]: values(row) for row in city.context["by_unit"]}
        self.assertEqual(lines["Ủy ban nhân dân Phường Thanh Khê"][AWARDED : REVOKED + 1], [12, 1])
        self.assertEqual(lines["Ủy ban nhân dân Phường Hải Châu"][AWARDED : REVOKED + 1], [18, 0])

    def test_the_revoked_cell_lists_the_revoked_nominee_with_its_revocation(self):
        response = self.client.get(reverse("reports:statistics"), {"year": 2024, "province": "48"})
        cell = award_row(response, CITY_CHAIR)["cells"][REVOKED]
        listing = self.client.get(cell["url"])
        self.assertEqual([n.pk for n in listing.context["nominees"]], [self.revoked.nominee_id])
        self.assertContains(listing, "Bị hủy bỏ theo 25/QĐ-UBND ngày 02/03/2025")
        in_force = self.client.get(award_row(response, CITY_CHAIR)["cells"][AWARDED]["url"])
        self.assertEqual(in_force.context["paginator"].count, 30)
        self.assertNotIn(self.revoked.nominee_id, [n.pk for n in in_force.context["nominees"]])
        collectives = self.client.get(award_row(response, CITY_CHAIR)["cells"][2]["url"])
        self.assertEqual(collectives.context["paginator"].count, 23)

    def test_the_xlsx_export_has_the_revoked_column(self):
        rows = sheet_rows(
            self.client.get(reverse("reports:statistics_export", args=["xlsx"]), {"year": 2024, "province": "48"})
        )
        header = next(row for row in rows if row[0] == "Hình thức khen thưởng")
        self.assertEqual(header[REVOKED + 1], "Đã hủy bỏ")
        chair = next(row for row in rows if row[0] == CITY_CHAIR)
        self.assertEqual(list(chair[1:7]), [35, 7, 23, 0, 30, 1])

    def test_the_yearly_report_and_its_export_show_the_revoked_award(self):
        page = self.client.get(report_url(self.campaign, 2024, self.world.danang_pc))
        self.assertEqual(page.context["figures"]["statistics"]["total"]["counts"]["revoked"], 1)
        self.assertEqual(
            values(next(r for r in page.context["counts"]["by_award"] if r["label"] == CITY_CHAIR))[:6],
            [35, 7, 23, 0, 30, 1],
        )
        self.assertContains(page, "Khen thưởng bị hủy bỏ")
        export = self.client.get(report_url(self.campaign, 2024, self.world.danang_pc, "reports:yearly_export", "xlsx"))
        rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
        self.assertIn(("Khen thưởng bị hủy bỏ", 1), [tuple(row[:2]) for row in rows])
        self.assertIn(("Số được khen thưởng", 30), [tuple(row[:2]) for row in rows])
        pdf = self.client.get(report_url(self.campaign, 2024, self.world.danang_pc, "reports:yearly_export", "pdf"))
        self.assertTrue(pdf.content.startswith(b"%PDF"))
