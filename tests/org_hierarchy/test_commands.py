"""seed_demo, import_users and the start-up checks."""

import io
import shutil
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.checks import Error
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.utils import timezone, translation

from org_hierarchy.checks import check_guardian_backend, check_role_permissions
from org_hierarchy.models import Branch, Level, Membership, OrgUnit, Role
from org_hierarchy.roles import ROLE_PERMISSIONS
from tests.base import MeritflowTestCase


def command(name, *args) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command(name, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class SeedDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.first_output = command("seed_demo")

    def test_demo_users_hold_every_role_at_the_five_stage_units(self):
        self.assertIn("Imported the official administrative divisions.", self.first_output)
        self.assertEqual(OrgUnit.objects.filter(level=Level.COMMUNE, branch=Branch.SECURITY).count(), 3321)
        for username, unit_name in (
            ("hc.appraiser", "Ủy ban nhân dân Phường Hải Châu"),
            ("hcpolice.approver", "Công an Phường Hải Châu"),
            ("dn.auditor", "Ủy ban nhân dân Thành phố Đà Nẵng"),
            ("dnpolice.secretary", "Công an Thành phố Đà Nẵng"),
            ("bca.admin", "Bộ Công an"),
            ("tdp12.submitter", "Tổ dân phố 12"),
            ("school.submitter", "Trường THCS Nguyễn Huệ"),
        ):
            with self.subTest(username=username):
                membership = Membership.objects.active().get(user__username=username)
                self.assertEqual(membership.unit.name, unit_name)
                self.assertIn(username, self.first_output)
        self.assertEqual(Membership.objects.active().filter(note="demo").count(), 5 * len(Role) + 2 + 1)
        school = OrgUnit.objects.get(name="Trường THCS Nguyễn Huệ")
        self.assertEqual(OrgUnit.objects.get_parent(school).admin_code, "20242")
        self.assertTrue(get_user_model().objects.get(username="admin").is_superuser)
        self.assertTrue(get_user_model().objects.get(username="bca.approver").check_password("demo12345"))
        self.assertIn("Password for every demo user: demo12345", self.first_output)
        self.assertIn("/accounts/login/", self.first_output)

    def test_no_two_demo_people_share_a_name(self):
        names = list(get_user_model().objects.values_list("full_name", flat=True))
        self.assertGreater(len(names), 30)
        self.assertEqual(len(names), len(set(names)))

    @override_settings(SITE_URL="https://khenthuong.example.gov.vn:8443")
    def test_the_login_address_printed_is_the_configured_site(self):
        output = command("seed_demo")
        self.assertIn("https://khenthuong.example.gov.vn:8443/accounts/login/", output)
        self.assertNotIn("localhost", output)

    def test_the_deputy_acts_for_the_head_until_an_end_date(self):
        delegation = Membership.objects.get(user__username="dn.deputy")
        self.assertEqual(delegation.acting_for.username, "dn.approver")
        self.assertEqual(delegation.role, Role.APPROVER)
        self.assertGreater(delegation.valid_to, timezone.localdate())

    def test_second_run_creates_nothing(self):
        counts = (get_user_model().objects.count(), Membership.objects.count(), OrgUnit.objects.count())
        output = command("seed_demo")
        self.assertIn("Demo users: 0 created, 0 roles granted.", output)
        self.assertNotIn("Imported the official administrative divisions.", output)
        self.assertEqual(
            (get_user_model().objects.count(), Membership.objects.count(), OrgUnit.objects.count()), counts
        )

    @override_settings(PRODUCTION=True)
    def test_refuses_production_unless_allowed(self):
        with self.assertRaisesMessage(CommandError, "--allow-production"):
            command("seed_demo")
        output = command("seed_demo", "--allow-production")
        self.assertIn("no usable password", output)


class SeedDemoOnAnotherTreeTests(TestCase):
    def test_missing_units_are_a_clear_error(self):
        OrgUnit.objects.add_root(instance=OrgUnit(name="Bộ Y tế", branch=Branch.SECTOR, level=Level.MINISTRY))
        with self.assertRaisesMessage(CommandError, "run import_divisions first"):
            command("seed_demo")
        self.assertFalse(get_user_model().objects.exists())


class ImportUsersCommandTests(MeritflowTestCase):
    def write(self, content: str) -> Path:
        directory = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, directory)
        path = directory / "users.csv"
        path.write_text(content, encoding="utf-8")
        return path

    def test_imports_a_file(self):
        path = self.write(
            "username,full_name,role,branch,level,admin_code\nlan.ho,Hồ Thị Lan,appraiser,security,commune,20242\n"
        )
        output = command("import_users", str(path))
        self.assertIn("1 rows: 1 users created, 0 already existed; 1 memberships created", output)
        self.assertEqual(Membership.objects.get(user__username="lan.ho").unit, self.world.haichau_police)

    def test_a_bad_file_fails_and_imports_nothing(self):
        path = self.write("username,role,branch,admin_code\nlan.ho,appraiser,security,77777\n")
        with self.assertRaisesMessage(CommandError, "1 error(s); nothing was imported."):
            command("import_users", str(path))
        self.assertFalse(get_user_model().objects.filter(username="lan.ho").exists())
        with self.assertRaisesMessage(CommandError, "Cannot open"):
            command("import_users", str(path.with_name("missing.csv")))


class ChecksTests(TestCase):
    def test_guardian_backend_is_required(self):
        self.assertEqual(check_guardian_backend(), [])
        with override_settings(AUTHENTICATION_BACKENDS=["django.contrib.auth.backends.ModelBackend"]):
            [error] = check_guardian_backend()
        self.assertIsInstance(error, Error)
        self.assertEqual(error.id, "org_hierarchy.E001")

    def test_every_role_has_a_declared_permission(self):
        self.assertEqual(check_role_permissions(), [])
        original = ROLE_PERMISSIONS[Role.AUDITOR]
        ROLE_PERMISSIONS[Role.AUDITOR] = "audit_everything"
        self.addCleanup(ROLE_PERMISSIONS.__setitem__, Role.AUDITOR, original)
        self.assertEqual([error.id for error in check_role_permissions()], ["org_hierarchy.E002"])
