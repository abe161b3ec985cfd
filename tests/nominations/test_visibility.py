from django.urls import reverse

from nominations import services
from nominations.models import Dossier
from nominations.selectors import dossier_ids_visible_to
from org_hierarchy.models import Role
from tests.base import grant, make_user

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


class VisibilityOfSomeYearsTests(NominationsTestCase):
    """``years`` narrows the visible set to those years' dossiers and widens nobody's scope."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.by_year = {}
        for year in (2025, 2026):
            dossier, submitter = ready_dossier(cls.world.residential_group, award_code="bk_chu_tich_tinh", year=year)
            cls.by_year[year] = services.dossier_submit(dossier=dossier, actor=submitter).pk

    def visible(self, role, unit, years):
        visible = dossier_ids_visible_to(user=grant(role, unit), years=years)
        return set(Dossier.objects.filter(pk__in=visible).values_list("pk", flat=True))

    def test_only_the_years_asked_within_the_scope(self):
        city = self.world.danang_pc
        self.assertEqual(self.visible(Role.APPROVER, city, None), set(self.by_year.values()))
        self.assertEqual(self.visible(Role.APPROVER, city, (2025, 2025)), {self.by_year[2025]})
        self.assertEqual(self.visible(Role.APPRAISER, self.world.haichau_pc, (2026, 2026)), {self.by_year[2026]})
        self.assertEqual(self.visible(Role.APPROVER, city, (2020, 2024)), set())
        self.assertEqual(self.visible(Role.APPROVER, self.world.hanoi_pc, (2025, 2026)), set())
