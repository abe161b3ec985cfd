from django.urls import reverse

from nominations import services
from org_hierarchy.models import Role
from tests.base import make_user

from .support import NominationsTestCase, ready_dossier


class DossierVisibilityMatrixTests(NominationsTestCase):
    """Who sees a dossier from the residential group routed ward → city (civil branch), from the outside."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        dossier, submitter = ready_dossier(cls.world.residential_group, award_code="bk_chu_tich_tinh")
        cls.dossier = services.dossier_submit(dossier=dossier, actor=submitter)

    def sees(self, role, unit) -> tuple[int, bool]:
        self.act_as(role, unit, user=make_user())
        detail = self.client.get(reverse("nominations:dossier_detail", args=[self.dossier.pk])).status_code
        listed = self.dossier.title in self.client.get(reverse("nominations:dossier_list")).content.decode()
        return detail, listed

    def test_matrix(self):
        world = self.world
        cases = [
            (Role.SUBMITTER, world.residential_group, (200, True)),
            (Role.APPRAISER, world.haichau_pc, (200, True)),
            (Role.SECRETARY, world.danang_pc, (200, True)),
            (Role.APPROVER, world.danang_pc, (200, True)),
            (Role.AUDITOR, world.danang_pc, (200, True)),
            (Role.SUBMITTER, world.school, (404, False)),
            (Role.APPRAISER, world.thanhkhe_pc, (404, False)),
            (Role.APPRAISER, world.hanoi_pc, (404, False)),
            (Role.APPRAISER, world.haichau_police, (404, False)),
            (Role.APPROVER, world.danang_police, (404, False)),
            (Role.AUDITOR, world.badinh_pc, (404, False)),
        ]
        for role, unit, expected in cases:
            with self.subTest(role=role, unit=unit.name):
                self.assertEqual(self.sees(role, unit), expected)
