from django.urls import reverse

from nominations import services
from nominations.models import Dossier, DossierTally, Nominee
from nominations.selectors import dossier_ids_visible_to, submitted_dossier_visible, tally_visible
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


class SubmittedDossierVisibleTests(NominationsTestCase):
    """``submitted_dossier_visible`` (the statistics' scope) keeps the dossiers of ``dossier_ids_visible_to`` but
    the drafts, for the officers of the route, the units above and the units outside it."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        dossier, submitter = ready_dossier(cls.world.residential_group, award_code="bk_chu_tich_tinh")
        cls.routed = services.dossier_submit(dossier=dossier, actor=submitter).pk
        police, submitter = ready_dossier(cls.world.danang_police, award_code="bk_bo_truong_cong_an")
        cls.police = services.dossier_submit(dossier=police, actor=submitter).pk
        cls.draft = ready_dossier(cls.world.residential_group, award_code="bk_chu_tich_tinh")[0].pk

    def test_the_same_dossiers_as_the_visible_ids_without_the_drafts(self):
        world = self.world
        cases = [
            (Role.SUBMITTER, world.residential_group, {self.routed}),
            (Role.APPRAISER, world.haichau_pc, {self.routed}),
            (Role.AUDITOR, world.danang_pc, {self.routed}),
            (Role.APPROVER, world.danang_police, {self.police}),
            (Role.APPRAISER, world.hanoi_pc, set()),
            (Role.AUDITOR, world.badinh_pc, set()),
        ]
        for role, unit, expected in cases:
            with self.subTest(role=role, unit=unit.name):
                user = grant(role, unit)
                ids = Dossier.objects.filter(pk__in=dossier_ids_visible_to(user=user)).values_list("pk", flat=True)
                visible = set(ids) - {self.draft}
                counted = set(
                    Nominee.objects.filter(submitted_dossier_visible(user=user)).values_list("dossier_id", flat=True)
                )
                self.assertEqual(counted, expected)
                self.assertEqual(counted, visible & set(Nominee.objects.values_list("dossier_id", flat=True)))
                tallied = DossierTally.objects.filter(tally_visible(user=user)).values_list("dossier_id", flat=True)
                self.assertEqual(set(tallied), expected)
