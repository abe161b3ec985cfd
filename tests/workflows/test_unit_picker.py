"""The unit picker: a scoped search of at most 20 units, and the ids a form receives checked on the server."""

from django.urls import reverse
from viewflow.workflow.status import STATUS

from org_hierarchy.models import Level, OrgUnit, Role
from workflows.selectors import UNIT_MATCHES

from .base import FlowTestCase


class UnitSearchTests(FlowTestCase):
    def search(self, user, expect=200, **params):
        self.login(user)
        response = self.client.get(reverse("workflows:units"), params)
        self.assertEqual(response.status_code, expect)
        return [unit["label"] for unit in response.json()["results"]] if expect == 200 else response

    def test_matches_are_from_the_users_scope_by_name_or_code(self):
        appraiser = self.officer(self.world.haichau_pc, Role.APPRAISER)
        self.assertEqual(
            self.search(appraiser, q="Hải Châu"),
            [
                "Ủy ban nhân dân Phường Hải Châu · 20242",
                "Tổ dân phố 12, Phường Hải Châu · TDP12",
            ],
        )
        self.assertEqual(self.search(appraiser, q="2024"), ["Ủy ban nhân dân Phường Hải Châu · 20242"])
        # typed without tone marks, in capitals, or with "d" for "đ", the name still matches
        for typed in ("hai chau", "PHƯỜNG HẢI CHÂU", "uy ban nhan dan phuong"):
            self.assertIn("Ủy ban nhân dân Phường Hải Châu · 20242", self.search(appraiser, q=typed), typed)
        self.assertEqual(self.search(appraiser, q="to dan pho 12"), ["Tổ dân phố 12, Phường Hải Châu · TDP12"])
        # the city and the ward's police are outside a ward officer's scope
        self.assertEqual(self.search(appraiser, q="Đà Nẵng"), [])
        self.assertEqual(self.search(appraiser, q="Công an"), [])
        self.assertEqual(self.search(appraiser, q="   "), [])

    def test_a_renamed_unit_is_found_by_its_new_name(self):
        appraiser = self.officer(self.world.haichau_pc, Role.APPRAISER)
        group = self.world.residential_group
        group.name = "Tổ dân phố Đống Đa"
        group.save(update_fields=["name"])
        self.assertEqual(self.search(appraiser, q="dong da"), ["Tổ dân phố Đống Đa · TDP12"])
        self.assertEqual(self.search(appraiser, q="to dan pho 12"), [])

    def test_at_most_twenty_matches(self):
        for index in range(UNIT_MATCHES + 5):
            OrgUnit.objects.add_child(
                self.world.mps,
                instance=OrgUnit(
                    name=f"Công an tỉnh thử {index:02d}",
                    short_name="CAT",
                    branch=self.world.mps.branch,
                    level=Level.PROVINCE,
                    admin_code=str(900 + index),
                ),
            )
        labels = self.search(self.officer(self.world.mps, Role.APPRAISER), q="tỉnh thử")
        self.assertEqual(len(labels), UNIT_MATCHES)
        self.assertEqual(
            self.search(self.officer(self.world.mps, Role.APPRAISER), q="cong an tinh thu 07"),
            ["Công an tỉnh thử 07 · 907"],
        )

    def test_chosen_ids_are_named_only_within_the_scope(self):
        appraiser = self.officer(self.world.haichau_pc, Role.APPRAISER)
        ids = f"{self.world.school.pk},{self.world.danang_pc.pk},{self.world.mps.pk}"
        self.assertEqual(self.search(appraiser, ids=ids), ["Trường THCS Nguyễn Huệ · THCSNH"])

    def test_a_process_offers_its_consultation_candidates_and_is_scoped(self):
        process = self.submit(self.make_dossier(self.province_award))
        appraiser = self.officer(self.world.haichau_pc, Role.APPRAISER)
        # the ward's police is outside the ward officer's scope, but a unit the stage may consult
        self.assertEqual(self.search(appraiser, q="Công an", process=process.pk), ["Công an Phường Hải Châu · 20242"])
        # the originating unit acts on the dossier anyway: not a candidate
        self.assertEqual(self.search(appraiser, q="Tổ dân phố", process=process.pk), [])
        stranger = self.officer(self.world.danang_police, Role.APPRAISER)
        self.search(stranger, expect=404, q="Công an", process=process.pk)
        self.search(appraiser, expect=404, q="Công an", process="abc")
        self.search(appraiser, expect=404, q="Công an", process=process.pk + 1000)
        self.search(appraiser, expect=404, q="Công an", process="9" * 30)
        self.assertEqual(self.search(appraiser, ids="9" * 30), [])

    def test_signed_out_visitors_are_sent_to_the_login_page(self):
        response = self.client.get(reverse("workflows:units"), {"q": "Hải Châu"})
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])


class ConsultationPickerTests(FlowTestCase):
    def setUp(self):
        self.process = self.submit(self.make_dossier(self.province_award))
        self.task = self.open_task(self.process)
        self.appraiser = self.login(self.officer(self.world.haichau_pc, Role.APPRAISER))

    def post(self, consult_units):
        data = {"opinion": "Đủ điều kiện.", "consult_units": consult_units, "act": "consult"}
        for pk in self.nominee_ids(self.process.dossier):
            data[f"recommend_{pk}"] = "on"
        return self.client.post(self.execute_url(self.task), data)

    def test_the_page_offers_a_search_box_not_a_list_of_every_unit(self):
        page = self.client.get(self.execute_url(self.task))
        self.assertContains(page, 'name="consult_units"')
        self.assertContains(page, "data-mf-unit-picker")
        self.assertContains(page, f'data-process="{self.process.pk}"')
        self.assertContains(page, "/static/workflows/workflows.js")
        self.assertNotContains(page, f'<option value="{self.world.haichau_police.pk}"')

    def test_ids_typed_or_picked_are_consulted(self):
        self.assertEqual(self.post(f" {self.world.haichau_police.pk} ").status_code, 302)
        self.process.refresh_from_db()
        self.assertEqual(self.process.consult_unit_ids, [self.world.haichau_police.pk])
        self.assertEqual(self.open_task(self.process).flow_task.name, "commune_consultation")

    def test_a_unit_that_may_not_be_consulted_is_refused_and_nothing_is_saved(self):
        for value in (f"{self.world.haichau_police.pk},{self.world.danang_police.pk}", "Công an", "-1", "9" * 30):
            response = self.post(value)
            self.assertEqual(response.status_code, 200)
            self.assertTrue(response.context["form"].errors["consult_units"])
            self.task.refresh_from_db()
            self.assertEqual(self.task.status, STATUS.NEW)
            # what was typed is shown again, to be corrected
            self.assertContains(response, 'value="Đủ điều kiện."', count=0)
            self.assertContains(response, "Đủ điều kiện.")
