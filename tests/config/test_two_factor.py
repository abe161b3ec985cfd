"""Two-factor authentication: required by configuration for the roles that sign, vote, appraise, administer, audit."""

from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.events import AuditEvent
from audit.models import LedgerEntry
from org_hierarchy.models import Role
from tests.base import MeritflowTestCase, grant, make_user

LOGIN = reverse("login")
ENROL = reverse("two_factor_enrol")
VERIFY = reverse("two_factor_verify")
PROFILE = reverse("profile")
REQUIRED = ["approver", "secretary", "appraiser", "admin", "auditor"]


def code_of(device, *, later=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=later):06d}"


@override_settings(MFA_REQUIRED_ROLES=REQUIRED)
class TwoFactorRequiredTests(MeritflowTestCase):
    def setUp(self):
        self.approver = grant(Role.APPROVER, self.world.haichau_pc, user=make_user("approver"))

    def sign_in(self, username):
        response = self.client.post(LOGIN, {"username": username, "password": "pw-for-tests"})
        self.assertEqual(response.status_code, 302)
        return self.client.get(PROFILE)

    def enrol(self):
        self.sign_in("approver")
        self.client.get(ENROL)
        device = TOTPDevice.objects.get(user=self.approver, confirmed=False)
        response = self.client.post(ENROL, {"token": code_of(device), "next": PROFILE})
        self.assertEqual(response.status_code, 200)
        return device, response.context["codes"]

    def test_an_approver_is_sent_to_enrolment_scans_the_qr_code_types_a_code_and_reaches_pages(self):
        response = self.sign_in("approver")
        self.assertRedirects(response, f"{ENROL}?next={PROFILE.replace('/', '%2F')}", fetch_redirect_response=False)
        page = self.client.get(response.url)
        self.assertContains(page, 'src="data:image/svg+xml')
        self.assertContains(page, "Thiết lập xác thực hai lớp")
        self.assertNotContains(page, 'style="')
        # Every other page waits for the enrolment.
        self.assertRedirects(self.client.get("/"), f"{ENROL}?next=%2F", fetch_redirect_response=False)

        device = TOTPDevice.objects.get(user=self.approver, confirmed=False)
        response = self.client.post(ENROL, {"token": code_of(device), "next": PROFILE})
        self.assertEqual(response.status_code, 200)
        codes = response.context["codes"]
        self.assertEqual(len(codes), 10)
        for code in codes:
            self.assertContains(response, code)
        device.refresh_from_db()
        self.assertTrue(device.confirmed)
        self.assertEqual(self.client.get(PROFILE).status_code, 200)
        entry = LedgerEntry.objects.get(event=AuditEvent.TWO_FACTOR_ENROLLED)
        self.assertEqual(entry.actor_id, self.approver.pk)
        self.assertEqual(entry.data["recovery_codes"], 10)
        self.assertNotIn(codes[0], str(entry.data))

    def test_a_wrong_code_is_refused_with_a_translated_message(self):
        self.sign_in("approver")
        self.client.get(ENROL)
        device = TOTPDevice.objects.get(user=self.approver, confirmed=False)
        wrong = f"{(int(code_of(device)) + 1) % 1000000:06d}"
        response = self.client.post(ENROL, {"token": wrong, "next": PROFILE})
        self.assertContains(response, "Mã này không đúng", status_code=400)
        device.refresh_from_db()
        self.assertFalse(device.confirmed)
        self.assertFalse(LedgerEntry.objects.filter(event=AuditEvent.TWO_FACTOR_ENROLLED).exists())
        with translation.override("en"):
            self.client.cookies["django_language"] = "en"
            self.approver.language = "en"
            self.approver.save(update_fields=["language"])
            response = self.client.post(ENROL, {"token": wrong, "next": PROFILE})
            self.assertContains(response, "This code is not right", status_code=400)

    def test_after_enrolment_the_next_sign_in_asks_for_the_code_before_any_page(self):
        device, _codes = self.enrol()
        self.client.post(reverse("logout"))
        response = self.sign_in("approver")
        self.assertRedirects(response, f"{VERIFY}?next=%2Faccounts%2Fprofile%2F", fetch_redirect_response=False)
        wrong = f"{(int(code_of(device, later=1)) + 1) % 1000000:06d}"
        refused = self.client.post(VERIFY, {"token": wrong, "next": PROFILE})
        self.assertContains(refused, "Mã này không đúng", status_code=400)
        # The code of the next time step (the one of enrolment cannot be used twice), once django-otp's pause
        # after a wrong code is over.
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
        response = self.client.post(VERIFY, {"token": code_of(device, later=1), "next": PROFILE})
        self.assertRedirects(response, PROFILE, fetch_redirect_response=False)
        self.assertEqual(self.client.get(PROFILE).status_code, 200)
        self.assertFalse(LedgerEntry.objects.filter(event=AuditEvent.RECOVERY_CODE_USED).exists())

    def test_a_password_alone_cannot_set_up_another_phone(self):
        self.enrol()
        self.client.post(reverse("logout"))
        self.sign_in("approver")
        self.assertRedirects(self.client.get(ENROL), f"{VERIFY}?next=%2F", fetch_redirect_response=False)
        response = self.client.post(ENROL, {"token": "123456", "next": PROFILE})
        self.assertRedirects(response, f"{VERIFY}?next=%2Faccounts%2Fprofile%2F", fetch_redirect_response=False)
        self.assertEqual(TOTPDevice.objects.filter(user=self.approver).count(), 1)

    def test_a_recovery_code_works_once_and_is_recorded(self):
        _device, codes = self.enrol()
        for attempt in range(2):
            self.client.post(reverse("logout"))
            self.sign_in("approver")
            response = self.client.post(VERIFY, {"token": codes[0], "next": PROFILE})
            if attempt == 0:
                self.assertRedirects(response, PROFILE, fetch_redirect_response=False)
            else:
                self.assertContains(response, "Mã này không đúng", status_code=400)
                self.assertRedirects(self.client.get(PROFILE), f"{VERIFY}?next=%2Faccounts%2Fprofile%2F")
        entry = LedgerEntry.objects.get(event=AuditEvent.RECOVERY_CODE_USED)
        self.assertEqual(entry.actor_id, self.approver.pk)
        self.assertEqual(entry.data["recovery_codes_left"], 9)
        self.assertEqual(StaticToken.objects.filter(device__user=self.approver).count(), 9)

    def test_a_submitter_is_not_asked(self):
        grant(Role.SUBMITTER, self.world.school, user=make_user("submitter"))
        self.assertEqual(self.sign_in("submitter").status_code, 200)
        self.assertFalse(TOTPDevice.objects.filter(user__username="submitter").exists())

    def test_an_auditor_can_enrol_despite_the_read_only_guard(self):
        auditor = grant(Role.AUDITOR, self.world.danang_pc, user=make_user("auditor"))
        self.sign_in("auditor")
        self.client.get(ENROL)
        device = TOTPDevice.objects.get(user=auditor, confirmed=False)
        response = self.client.post(ENROL, {"token": code_of(device), "next": PROFILE})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.client.get(PROFILE).status_code, 200)

    def test_an_administrator_resets_a_lost_factor_on_the_record_and_the_next_sign_in_enrols_anew(self):
        self.enrol()
        self.client.logout()
        admin = make_user("root", is_superuser=True, is_staff=True)
        self.client.force_login(admin)
        changelist = reverse("admin:org_hierarchy_user_changelist")
        # The administrator's own second factor is not what this test is about.
        with override_settings(MFA_REQUIRED_ROLES=[]):
            response = self.client.post(
                changelist,
                {"action": "reset_two_factor", "_selected_action": [self.approver.pk, admin.pk]},
                follow=True,
            )
        self.assertContains(response, "Đã đặt lại xác thực hai lớp cho 1 người.")
        self.assertFalse(TOTPDevice.objects.filter(user=self.approver).exists())
        self.assertFalse(StaticToken.objects.filter(device__user=self.approver).exists())
        entry = LedgerEntry.objects.get(event=AuditEvent.TWO_FACTOR_RESET)
        self.assertEqual((entry.actor_id, entry.subject_id), (admin.pk, str(self.approver.pk)))
        self.assertEqual(entry.data, {"username": "approver", "devices": 2})
        self.client.logout()
        self.assertRedirects(
            self.sign_in("approver"), f"{ENROL}?next={PROFILE.replace('/', '%2F')}", fetch_redirect_response=False
        )


class TwoFactorOffTests(MeritflowTestCase):
    def test_with_the_requirement_off_an_approver_signs_in_as_before(self):
        grant(Role.APPROVER, self.world.haichau_pc, user=make_user("approver"))
        response = self.client.post(LOGIN, {"username": "approver", "password": "pw-for-tests"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.client.get(PROFILE).status_code, 200)
        self.assertFalse(TOTPDevice.objects.exists())


class TwoFactorDeviceAdminTests(MeritflowTestCase):
    def test_the_device_pages_that_would_delete_unrecorded_are_not_in_the_administration(self):
        admin = make_user("root", is_superuser=True, is_staff=True)
        self.client.force_login(admin)
        index = self.client.get(reverse("admin:index"))
        self.assertNotContains(index, "otp_totp")
        self.assertNotContains(index, "otp_static")
        self.assertEqual(self.client.get("/admin/otp_totp/totpdevice/").status_code, 404)
