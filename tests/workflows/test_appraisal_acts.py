"""The appraisal's three buttons: each its own act and service; the text of one act never triggers another."""

from django.core.exceptions import ValidationError
from viewflow.workflow.status import STATUS

from nominations.models import DossierStatus
from org_hierarchy.models import Role
from workflows import services

from .base import FlowTestCase


class AppraisalActTests(FlowTestCase):
    def setUp(self):
        self.dossier = self.make_dossier(self.province_award)
        self.process = self.submit(self.dossier)
        self.task = self.open_task(self.process)
        self.appraiser = self.officer(self.world.haichau_pc, Role.APPRAISER)

    def post(self, act, *, user=None, **fields):
        self.login(user or self.appraiser)
        data = {"opinion": "Đủ điều kiện.", **fields}
        if act:
            data["act"] = act
        for pk in self.nominee_ids(self.dossier):
            data[f"recommend_{pk}"] = "on"
        return self.client.post(self.execute_url(self.task), data)

    def assert_step_untouched(self):
        self.task.refresh_from_db()
        self.assertEqual((self.task.status, self.task.owner_id), (STATUS.NEW, None))

    def test_the_page_has_one_button_per_act_each_asking_first(self):
        self.login(self.appraiser)
        page = self.client.get(self.execute_url(self.task))
        for value, label in (("council", "Chuyển Hội đồng"), ("return", "Trả lại bổ sung"), ("consult", "Xin ý kiến")):
            self.assertContains(page, f'name="act" value="{value}"')
            self.assertContains(page, label)
        self.assertContains(page, "data-mf-confirm=", count=3)
        self.assertNotContains(page, "Xác nhận</button>")

    def test_to_the_council_with_text_in_the_return_box_passes_the_dossier_on(self):
        response = self.post("council", return_reason="Một ghi chú bị bỏ quên.")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.open_node_names(self.process), ["commune_vote"])
        self.dossier.refresh_from_db()
        self.assertEqual(self.dossier.status, DossierStatus.SUBMITTED)

    def test_return_calls_its_own_service_and_needs_the_request(self):
        response = self.post("return", return_reason="  ")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].errors["return_reason"],
            ["Để trả lại hồ sơ, hãy nêu nội dung đơn vị trình cần bổ sung."],
        )
        self.assertContains(response, "Đủ điều kiện.")  # the opinion typed is kept
        self.assert_step_untouched()
        response = self.post("return", return_reason="Thiếu báo cáo thành tích.")
        self.assertEqual(response.status_code, 302)
        self.dossier.refresh_from_db()
        self.assertEqual(self.dossier.status, DossierStatus.RETURNED)
        self.assertEqual(self.open_node_names(self.process), ["supplement"])

    def test_consult_needs_units_on_its_own_field(self):
        response = self.post("consult", return_reason="Không liên quan.")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].errors["consult_units"], ["Để xin ý kiến, hãy chọn ít nhất một đơn vị."]
        )
        self.assertNotIn("return_reason", response.context["form"].errors)
        self.assert_step_untouched()
        response = self.post("consult", consult_units=[self.world.thanhkhe_pc.pk])
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.open_node_names(self.process), ["commune_consultation"])

    def test_no_act_or_an_unknown_act_is_refused(self):
        for act in ("", "decide"):
            response = self.post(act)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(
                response.context["form"].non_field_errors(),
                ["Hãy chọn cách xử lý hồ sơ bằng một trong các nút."],
            )
        self.assert_step_untouched()

    def test_someone_without_the_role_cannot_act(self):
        secretary = self.officer(self.world.haichau_pc, Role.SECRETARY)
        self.assertEqual(self.post("council", user=secretary).status_code, 403)
        self.assertEqual(self.post("return", user=self.submitter, return_reason="x").status_code, 403)
        self.assert_step_untouched()

    def test_the_services_refuse_a_return_without_request_and_a_consultation_without_units(self):
        for service, kwargs, field in (
            (services.stage_appraise_return, {"return_reason": " "}, "return_reason"),
            (services.stage_appraise_consult, {"consult_units": []}, "consult_units"),
        ):
            with self.subTest(service=service.__name__), self.assertRaises(ValidationError) as caught:
                service(activation=None, actor=self.appraiser, opinion="x", recommendations={}, **kwargs)
            self.assertIn(field, caught.exception.error_dict)
