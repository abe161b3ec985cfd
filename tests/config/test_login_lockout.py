"""Sign-in throttling: wrong passwords lock the account and the client address out, an administrator unlocks."""

from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from audit.events import AuditEvent
from audit.models import LedgerEntry
from tests.base import MeritflowTestCase, make_user

LOGIN = reverse("login")
PASSWORD = "pw-for-tests"


class LoginLockoutTests(MeritflowTestCase):
    def setUp(self):
        self.officer = make_user("officer")
        self.colleague = make_user("colleague")

    def sign_in(self, username, password, address="10.0.0.1"):
        return self.client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)

    def lock_out(self):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.assertEqual(self.sign_in("officer", "wrong").status_code, 200)
        # The failure that reaches the limit is answered with the lockout page.
        self.assertEqual(self.sign_in("officer", "wrong").status_code, 429)

    def test_repeated_wrong_passwords_lock_the_account_and_the_address_with_a_translated_message(self):
        self.lock_out()
        response = self.sign_in("officer", PASSWORD)
        self.assertEqual(response.status_code, 429)
        with translation.override("vi"):
            self.assertContains(response, "Tạm khóa đăng nhập", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)
        # The account, from another address; another account, from the same address.
        self.assertEqual(self.sign_in("officer", PASSWORD, address="10.0.0.2").status_code, 429)
        self.assertEqual(self.sign_in("colleague", PASSWORD).status_code, 429)
        # Somebody else, elsewhere, signs in as usual.
        self.assertEqual(self.sign_in("colleague", PASSWORD, address="10.0.0.3").status_code, 302)
        # Recorded once per account and address refused, however many times each was refused.
        entries = LedgerEntry.objects.filter(event=AuditEvent.LOGIN_LOCKED_OUT).order_by("sequence")
        self.assertEqual(
            [(entry.data["username"], entry.data["ip_address"]) for entry in entries],
            [("officer", "10.0.0.1"), ("officer", "10.0.0.2"), ("colleague", "10.0.0.1")],
        )

    def test_an_administrator_unlocks_on_the_record_and_the_officer_signs_in(self):
        self.lock_out()
        admin = make_user("root", is_superuser=True, is_staff=True)
        self.client.force_login(admin)
        changelist = reverse("admin:axes_accessattempt_changelist")
        self.assertContains(self.client.get(changelist), "10.0.0.1")
        attempt = AccessAttempt.objects.get(username="officer")
        response = self.client.post(changelist, {"action": "unlock", "_selected_action": [attempt.pk]})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(AccessAttempt.objects.exists())
        entry = LedgerEntry.objects.get(event=AuditEvent.LOGIN_UNLOCKED)
        self.assertEqual((entry.actor_id, entry.data["username"]), (admin.pk, "officer"))
        self.client.logout()
        self.assertEqual(self.sign_in("officer", PASSWORD).status_code, 302)

    def test_a_success_clears_the_count_so_many_sign_ins_never_lock(self):
        for _ in range(3 * settings.AXES_FAILURE_LIMIT):
            self.sign_in("officer", "wrong")
            self.assertEqual(self.sign_in("officer", PASSWORD).status_code, 302)
            self.client.logout()
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.sign_in("officer", "wrong")
        self.assertEqual(self.sign_in("officer", PASSWORD).status_code, 302)
