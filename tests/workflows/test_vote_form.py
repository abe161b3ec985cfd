"""The vote: errors on the nominee's own row, and the uploaded minutes kept through a refused attempt."""

from django.core.files.uploadedfile import SimpleUploadedFile
from viewflow.workflow.status import STATUS

from org_hierarchy.models import Role
from tests.base import grant, make_user

from .base import PDF_BYTES, FlowTestCase


class VoteFormTests(FlowTestCase):
    def setUp(self):
        self.dossier = self.make_dossier(self.commune_award)
        self.process = self.submit(self.dossier)
        self.appraise(self.process, self.world.haichau_pc)
        self.task = self.open_task(self.process)
        self.secretary = self.officer(self.world.haichau_pc, Role.SECRETARY)
        self.first, self.second = self.nominee_ids(self.dossier)

    def ballot(self, second_for=9, **extra):
        data = {"members": 9, **extra}
        for pk, votes_for in ((self.first, 9), (self.second, second_for)):
            data |= {f"present_{pk}": 9, f"for_{pk}": votes_for, f"against_{pk}": 0}
        return data

    def post(self, data, user=None):
        self.login(user or self.secretary)
        return self.client.post(self.execute_url(self.task), data)

    def test_an_inconsistent_count_is_shown_on_its_row_and_the_minutes_are_kept(self):
        minutes = SimpleUploadedFile("bien-ban-hop.pdf", PDF_BYTES, "application/pdf")
        response = self.post(self.ballot(second_for=12, minutes=minutes))
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertEqual(
            form.errors[f"for_{self.second}"],
            ["Nguyễn Văn B: tổng số phiếu đồng ý và không đồng ý nhiều hơn số thành viên có mặt."],
        )
        self.assertNotIn(f"for_{self.first}", form.errors)
        self.assertEqual(form.non_field_errors(), [])
        page = response.content.decode()
        row = page[page.index("Nguyễn Văn B</th>") :]
        self.assertIn("mf-error", row[: row.index("</tr>")])
        self.assertContains(response, "Tệp “bien-ban-hop.pdf” đã được giữ lại")
        self.assertContains(response, 'name="kept_minutes"')
        self.task.refresh_from_db()
        self.assertEqual((self.task.status, self.task.owner_id), (STATUS.NEW, None))
        # The corrected counts go through with the kept minutes, no file chosen again.
        response = self.post(self.ballot(kept_minutes=form.kept_uploads["minutes"]["token"]))
        self.assertEqual(response.status_code, 302)
        self.task.refresh_from_db()
        self.assertEqual(self.task.status, STATUS.DONE)
        self.assertTrue(self.task.data["minutes"].startswith("council-minutes/"))

    def test_without_minutes_the_error_is_on_the_minutes_field(self):
        response = self.post(self.ballot())
        self.assertEqual(response.context["form"].errors["minutes"], ["Hãy đính kèm biên bản họp."])

    def test_a_kept_file_is_the_secretarys_own_for_this_step(self):
        minutes = SimpleUploadedFile("bien-ban-hop.pdf", PDF_BYTES, "application/pdf")
        token = self.post(self.ballot(second_for=12, minutes=minutes)).context["form"].kept_uploads["minutes"]["token"]
        # Another secretary of the unit cannot use the reference, nor can anyone with a forged one.
        colleague = grant(Role.SECRETARY, self.world.haichau_pc, user=make_user("second_secretary"))
        for user, reference in ((colleague, token), (self.secretary, token[:-2] + "xx")):
            response = self.post(self.ballot(kept_minutes=reference), user=user)
            self.assertEqual(response.status_code, 200)
            self.assertIn("minutes", response.context["form"].errors)
        # Someone without the role is refused before any of it.
        self.assertEqual(self.post(self.ballot(kept_minutes=token), user=self.submitter).status_code, 403)
