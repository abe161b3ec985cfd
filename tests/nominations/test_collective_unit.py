"""A collective nominee is tied to its organisation unit, picked on the nominee form or named by its code in the
XLSX list, so the same collective is recognised across dossiers and years."""

from django.urls import reverse

from nominations.models import Nominee, SubjectType
from org_hierarchy.models import Role
from tests.base import make_user

from .support import NominationsTestCase, draft, xlsx

HEADERS = ("Họ và tên", "Đối tượng", "Mã đơn vị")


class CollectiveUnitTests(NominationsTestCase):
    def setUp(self):
        super().setUp()
        self.submitter = self.act_as(Role.SUBMITTER, self.world.haichau_pc, user=make_user(language="en"))
        self.dossier, _ = draft(self.world.haichau_pc, actor=self.submitter, nominees=0)

    def add(self, **data):
        return self.client.post(reverse("nominations:nominee_create", args=[self.dossier.pk]), data)

    def test_the_form_offers_a_unit_picker_of_the_submitters_scope(self):
        page = self.client.get(reverse("nominations:nominee_create", args=[self.dossier.pk]))
        self.assertContains(page, 'name="collective_unit"')
        self.assertContains(page, "data-mf-unit-picker")
        self.assertContains(page, f'data-search-url="{reverse("workflows:units")}"')
        matches = self.client.get(reverse("workflows:units"), {"q": "to dan pho 12"}).json()["results"]
        self.assertEqual([match["id"] for match in matches], [self.world.residential_group.pk])
        self.assertEqual(self.client.get(reverse("workflows:units"), {"q": "thanh khe"}).json()["results"], [])

    def test_a_collective_picked_on_the_form_is_saved_with_its_unit_and_shown_when_edited(self):
        group = self.world.residential_group
        response = self.add(subject_type=SubjectType.COLLECTIVE, full_name="Tổ dân phố 12", collective_unit=group.pk)
        self.assertRedirects(response, reverse("nominations:dossier_detail", args=[self.dossier.pk]))
        nominee = Nominee.objects.get()
        self.assertEqual(nominee.collective_unit, group)
        self.assertEqual(nominee.history.first().collective_unit_id, group.pk)
        edit = self.client.get(reverse("nominations:nominee_edit", args=[self.dossier.pk, nominee.pk]))
        self.assertContains(edit, f'name="collective_unit" value="{group.pk}"')

    def test_a_unit_outside_the_scope_or_on_an_individual_is_refused_with_a_400(self):
        outside = self.add(
            subject_type=SubjectType.COLLECTIVE, full_name="Tổ dân phố lạ", collective_unit=self.world.thanhkhe_pc.pk
        )
        self.assertContains(outside, "Select a valid choice", status_code=400)
        self.assertContains(outside, "Tổ dân phố lạ", status_code=400)
        individual = self.add(
            subject_type=SubjectType.INDIVIDUAL, full_name="Lê Văn C", collective_unit=self.world.school.pk
        )
        self.assertContains(individual, "Only a collective can be an organisation unit.", status_code=400)
        self.assertFalse(Nominee.objects.exists())

    def test_the_import_ties_collectives_by_their_unit_code(self):
        rows = [["Tổ dân phố 12", "Tập thể", "TDP12"], ["Trường THCS Nguyễn Huệ", "tập thể", "THCSNH"]]
        response = self.client.post(
            reverse("nominations:nominee_import", args=[self.dossier.pk]), {"file": xlsx(rows, headers=HEADERS)}
        )
        self.assertEqual(response.status_code, 302)
        units = dict(Nominee.objects.values_list("full_name", "collective_unit"))
        self.assertEqual(
            units, {"Tổ dân phố 12": self.world.residential_group.pk, "Trường THCS Nguyễn Huệ": self.world.school.pk}
        )

    def test_an_unknown_or_foreign_code_names_its_row_and_nothing_is_imported(self):
        rows = [["Tổ dân phố 12", "Tập thể", "TDP12"], ["Phường Thanh Khê", "Tập thể", "20209"]]
        response = self.client.post(
            reverse("nominations:nominee_import", args=[self.dossier.pk]), {"file": xlsx(rows, headers=HEADERS)}
        )
        self.assertContains(response, 'class="row-error"', count=1, status_code=400)
        self.assertContains(response, "No unit of yours has the code “20209”.", status_code=400)
        self.assertFalse(Nominee.objects.exists())

    def test_the_same_collective_in_another_dossier_of_the_year_is_recognised(self):
        group = self.world.residential_group
        self.add(subject_type=SubjectType.COLLECTIVE, full_name="Tổ dân phố 12", collective_unit=group.pk)
        second, _ = draft(self.world.haichau_pc, actor=self.submitter, nominees=0, title="Hồ sơ thứ hai")
        self.client.post(
            reverse("nominations:nominee_create", args=[second.pk]),
            {"subject_type": SubjectType.COLLECTIVE, "full_name": "TDP 12 (viết khác)", "collective_unit": group.pk},
        )
        page = self.client.get(reverse("nominations:eligibility", args=[second.pk]))
        self.assertContains(
            page, "TDP 12 (viết khác) is already proposed for this award and year in the dossier “Khen thưởng"
        )
