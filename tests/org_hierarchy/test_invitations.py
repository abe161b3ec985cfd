"""An imported officer is e-mailed a one-time, expiring link to choose a password, and then signs in; an
administrator can send the invitation again."""

import datetime
import re
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from org_hierarchy.invitations import invitation_tokens
from tests.base import MeritflowTestCase

PASSWORD = "Hoa-sen-2026-tím"
# The invited person is not signed in: the page speaks Vietnamese, the default.
INVALID = "Hãy đề nghị quản trị viên gửi lại thư mời."
LINK = re.compile(r"https?://\S+/org/invitation/\S+/")


class InvitationTests(MeritflowTestCase):
    def setUp(self):
        self.admin = get_user_model().objects.create_superuser("root", password="pw-for-tests", language="en")
        self.client.force_login(self.admin)

    def import_officer(self, email="mai.vo@danang.gov.vn"):
        content = f"username,full_name,email,role,branch,admin_code\nmai.vo,Võ Thị Mai,{email},auditor,civil,48\n"
        file = SimpleUploadedFile("users.csv", content.encode("utf-8"), content_type="text/csv")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("admin:org_hierarchy_user_import"), {"file": file})
        self.assertEqual(response.status_code, 200)
        return get_user_model().objects.get(username="mai.vo")

    def link_in(self, message):
        return LINK.search(message.body).group(0)

    def choose_password(self, link, password=PASSWORD):
        self.client.logout()
        form = self.client.get(link, follow=True)
        return form, self.client.post(
            form.redirect_chain[-1][0] if form.redirect_chain else link,
            {
                "new_password1": password,
                "new_password2": password,
            },
        )

    def test_the_imported_officer_gets_a_link_chooses_a_password_and_signs_in(self):
        officer = self.import_officer()
        self.assertFalse(officer.has_usable_password())
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["mai.vo@danang.gov.vn"])
        self.assertIn("mai.vo", message.body)
        self.assertIn("Võ Thị Mai", message.body)
        self.assertIn("Tài khoản", message.body)  # in the officer's language, Vietnamese by default

        form, response = self.choose_password(self.link_in(message))
        self.assertContains(form, "mai.vo")
        self.assertRedirects(response, reverse("login"))
        officer.refresh_from_db()
        self.assertTrue(officer.check_password(PASSWORD))
        self.assertEqual(officer.history.first().history_change_reason, "invitation accepted")
        signed_in = self.client.post(reverse("login"), {"username": "mai.vo", "password": PASSWORD})
        self.assertEqual(signed_in.status_code, 302)
        self.assertEqual(self.client.get(reverse("profile")).status_code, 200)

    def test_the_link_works_once(self):
        self.import_officer()
        link = self.link_in(mail.outbox[0])
        self.choose_password(link)
        again = self.client.get(link, follow=True)
        self.assertContains(again, INVALID)
        self.assertNotContains(again, 'name="new_password1"')

    def test_the_link_expires(self):
        self.import_officer()
        link = self.link_in(mail.outbox[0])
        later = datetime.datetime.now() + datetime.timedelta(days=4)
        self.client.logout()
        with mock.patch.object(invitation_tokens, "_now", return_value=later):
            page = self.client.get(link, follow=True)
        self.assertContains(page, INVALID)

    def test_a_password_reset_token_is_no_invitation(self):
        officer = self.import_officer()
        link = self.link_in(mail.outbox[0])
        forged = link.rsplit("/", 2)[0] + f"/{default_token_generator.make_token(officer)}/"
        self.client.logout()
        self.assertContains(self.client.get(forged, follow=True), INVALID)

    def test_an_administrator_resends_the_invitation_and_the_new_link_works(self):
        officer = self.import_officer()
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("admin:org_hierarchy_user_changelist"),
                {"action": "send_invitations", "_selected_action": [officer.pk, self.admin.pk]},
                follow=True,
            )
        self.assertContains(response, "1 invitation sent.")
        self.assertContains(response, "1 person was left out")
        self.assertEqual([message.to for message in mail.outbox], [["mai.vo@danang.gov.vn"]])
        _form, done = self.choose_password(self.link_in(mail.outbox[0]))
        self.assertRedirects(done, reverse("login"))

    def test_an_officer_without_e_mail_gets_no_invitation(self):
        self.import_officer(email="")
        self.assertEqual(mail.outbox, [])
