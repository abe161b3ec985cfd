"""The organisation admin: memberships go through the services, the users file import, unit search."""

import datetime
import io

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from org_hierarchy.models import Membership, OrgUnit, Role
from org_hierarchy.roles import permission_for
from tests.base import MeritflowTestCase, grant, make_user

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


def reload(user):
    return get_user_model().objects.get(pk=user.pk)


class AdminTestCase(MeritflowTestCase):
    def setUp(self):
        self.superuser = make_user(is_superuser=True, is_staff=True, language="en")
        self.client.force_login(self.superuser)


class MembershipAdminTests(AdminTestCase):
    def add(self, **fields):
        data = {"role": Role.APPROVER, "unit": self.world.danang_pc.pk, "valid_from": timezone.localdate()}
        return self.client.post(reverse("admin:org_hierarchy_membership_add"), {**data, **fields})

    def test_adding_grants_through_the_service(self):
        user = make_user()
        response = self.add(user=user.pk)
        self.assertEqual(response.status_code, 302)
        membership = Membership.objects.get(user=user)
        self.assertEqual(membership.history.get().history_change_reason, "granted")
        self.assertEqual(membership.history.get().history_user, self.superuser)
        self.assertTrue(reload(user).has_perm(permission_for(Role.APPROVER), self.world.danang_pc))

    def test_a_delegation_without_end_date_is_refused_with_a_message(self):
        head, deputy = make_user(), make_user()
        response = self.add(user=deputy.pk, acting_for=head.pk)
        self.assertContains(response, "A delegation needs an end date.")
        self.assertFalse(Membership.objects.filter(user=deputy).exists())
        response = self.add(user=deputy.pk, acting_for=head.pk, valid_to=TOMORROW)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Membership.objects.get(user=deputy).acting_for, head)

    def test_end_and_revoke_actions_remove_the_permission(self):
        ended_user = grant(
            Role.APPRAISER, self.world.haichau_pc, valid_from=timezone.localdate() - datetime.timedelta(7)
        )
        revoked_user = grant(Role.APPRAISER, self.world.thanhkhe_pc)
        url = reverse("admin:org_hierarchy_membership_changelist")
        for action, user in (("end_memberships", ended_user), ("revoke_memberships", revoked_user)):
            membership = Membership.objects.get(user=user)
            response = self.client.post(url, {"action": action, "_selected_action": [membership.pk]})
            self.assertEqual(response.status_code, 302)
            self.assertFalse(reload(user).has_perm(permission_for(Role.APPRAISER), membership.unit))
        self.assertEqual(Membership.objects.get(user=ended_user).history.latest().history_change_reason, "ended")
        self.assertIsNotNone(Membership.objects.get(user=revoked_user).revoked_at)

    def test_only_the_end_date_of_an_existing_membership_changes_and_it_cannot_be_deleted(self):
        user = grant(Role.APPRAISER, self.world.haichau_pc)
        membership = Membership.objects.get(user=user)
        response = self.client.post(
            reverse("admin:org_hierarchy_membership_change", args=[membership.pk]),
            {"role": Role.APPROVER, "unit": self.world.hanoi_pc.pk, "valid_to": "2099-12-31"},
        )
        self.assertEqual(response.status_code, 302)
        membership.refresh_from_db()
        self.assertEqual((membership.role, membership.unit), (Role.APPRAISER, self.world.haichau_pc))
        self.assertEqual(str(membership.valid_to), "2099-12-31")
        response = self.client.get(reverse("admin:org_hierarchy_membership_delete", args=[membership.pk]))
        self.assertEqual(response.status_code, 403)

    def test_changelist_queries_do_not_grow_with_the_rows(self):
        url = reverse("admin:org_hierarchy_membership_changelist")
        for batch in (5, 10):
            for _ in range(batch):
                grant(Role.SUBMITTER, self.world.school)
            self.client.get(url)
            with self.assertNumQueries(MEMBERSHIP_CHANGELIST_QUERIES):
                response = self.client.get(url)
        self.assertContains(response, 'name="_selected_action"', count=15)
        self.assertContains(response, "Trường THCS Nguyễn Huệ")


class UnitAdministratorTests(MeritflowTestCase):
    """A staff member holding the ADMIN role at Đà Nẵng manages memberships there and nowhere else."""

    def setUp(self):
        self.danang_admin = grant(Role.ADMIN, self.world.danang_pc, user=make_user(is_staff=True, language="en"))
        self.danang_admin.user_permissions.set(
            Permission.objects.filter(
                content_type__app_label="org_hierarchy",
                codename__in=["view_membership", "add_membership", "change_membership"],
            )
        )
        self.client.force_login(self.danang_admin)
        self.local = grant(Role.APPRAISER, self.world.haichau_pc)
        self.far = grant(Role.APPRAISER, self.world.badinh_pc)

    def test_sees_only_the_memberships_of_their_subtree(self):
        response = self.client.get(reverse("admin:org_hierarchy_membership_changelist"))
        self.assertContains(response, "Ủy ban nhân dân Phường Hải Châu")
        self.assertNotContains(response, "Phường Ba Đình")
        foreign = Membership.objects.get(user=self.far)
        response = self.client.get(reverse("admin:org_hierarchy_membership_change", args=[foreign.pk]))
        self.assertEqual(response.status_code, 302)  # the admin redirects an unknown id to its index

    def test_grants_only_in_their_subtree(self):
        url = reverse("admin:org_hierarchy_membership_add")
        user = make_user()
        data = {"user": user.pk, "role": Role.SUBMITTER, "valid_from": timezone.localdate()}
        response = self.client.post(url, {**data, "unit": self.world.hanoi_pc.pk})
        self.assertContains(response, "You do not administer this unit.")
        self.assertFalse(Membership.objects.filter(user=user).exists())
        response = self.client.post(url, {**data, "unit": self.world.school.pk})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(reload(user).has_perm(permission_for(Role.SUBMITTER), self.world.school))


# Session, user, filtered and total counts, and the page with its users and units joined.
MEMBERSHIP_CHANGELIST_QUERIES = 5


class OrgUnitAdminTests(AdminTestCase):
    def test_search_by_code_and_filter_by_branch(self):
        url = reverse("admin:org_hierarchy_orgunit_changelist")
        response = self.client.get(url, {"q": "20242"})
        self.assertContains(response, "Ủy ban nhân dân Phường Hải Châu")
        self.assertContains(response, "Công an Phường Hải Châu")
        self.assertNotContains(response, "Phường Thanh Khê")
        response = self.client.get(url, {"q": "20242", "branch__exact": "security"})
        self.assertContains(response, "Công an Phường Hải Châu")
        self.assertNotContains(response, "Ủy ban nhân dân Phường Hải Châu")

    def test_units_cannot_be_deleted(self):
        response = self.client.get(reverse("admin:org_hierarchy_orgunit_delete", args=[self.world.school.pk]))
        self.assertEqual(response.status_code, 403)
        self.assertTrue(OrgUnit.objects.filter(pk=self.world.school.pk).exists())

    def test_history_page(self):
        response = self.client.get(reverse("admin:org_hierarchy_orgunit_history", args=[self.world.school.pk]))
        self.assertContains(response, "Trường THCS Nguyễn Huệ")


class UserAdminTests(AdminTestCase):
    def test_user_page_shows_profile_fields_and_memberships(self):
        user = grant(Role.APPROVER, self.world.danang_police, user=make_user(full_name="Phan Văn Đức"))
        grant(Role.AUDITOR, self.world.hanoi_police, user=user)
        response = self.client.get(reverse("admin:org_hierarchy_user_change", args=[user.pk]))
        self.assertContains(response, 'name="full_name"')
        self.assertContains(response, 'name="position"')
        self.assertContains(response, 'name="language"')
        self.assertContains(response, "Công an Thành phố Đà Nẵng")
        self.assertContains(response, "Công an Thành phố Hà Nội")
        response = self.client.get(reverse("admin:org_hierarchy_user_changelist"), {"q": "Phan Văn"})
        self.assertContains(response, "Phan Văn Đức")


class UsersImportAdminTests(AdminTestCase):
    @property
    def url(self):
        return reverse("admin:org_hierarchy_user_import")

    def upload(self, content: str):
        file = SimpleUploadedFile("users.csv", content.encode("utf-8"), content_type="text/csv")
        return self.client.post(self.url, {"file": file})

    def test_good_file(self):
        response = self.upload("username,full_name,role,branch,admin_code\nmai.vo,Võ Thị Mai,auditor,civil,48\n")
        self.assertContains(response, "1 rows: 1 users created, 0 already existed; 1 memberships granted")
        self.assertTrue(Membership.objects.filter(user__username="mai.vo", unit=self.world.danang_pc).exists())

    def test_bad_file_shows_row_errors_and_saves_nothing(self):
        response = self.upload("username,role,branch,admin_code\nmai.vo,auditor,civil,48\nkhoa,boss,civil,48\n")
        self.assertContains(response, "Row 3, column “role”: Unknown role “boss”", status_code=400)
        self.assertContains(response, "nothing was imported", status_code=400)
        self.assertFalse(get_user_model().objects.filter(username="mai.vo").exists())

    def test_errors_speak_the_user_language(self):
        self.superuser.language = "vi"
        self.superuser.save(update_fields=["language"])
        response = self.upload("username,role,branch,admin_code\nkhoa,boss,civil,48\n")
        self.assertContains(response, "Dòng 2, cột “role”: Vai trò “boss” không xác định", status_code=400)

    def test_missing_file_is_a_form_error(self):
        response = self.client.post(self.url, {})
        self.assertEqual(response.status_code, 400)
        self.assertIn("file", response.context["form"].errors)

    def test_the_changelist_links_to_the_import(self):
        self.assertContains(self.client.get(reverse("admin:org_hierarchy_user_changelist")), self.url)

    def test_staff_without_permissions_is_refused(self):
        self.client.force_login(make_user(is_staff=True))
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.client.force_login(make_user())
        self.assertEqual(self.client.get(self.url).status_code, 302)


class UsersImportTemplateTests(AdminTestCase):
    def test_the_import_page_links_to_a_template_that_imports_as_it_is(self):
        import_url = reverse("admin:org_hierarchy_user_import")
        template_url = reverse("admin:org_hierarchy_user_import_template")
        self.assertContains(self.client.get(import_url), f'href="{template_url}"')
        response = self.client.get(template_url)
        self.assertIn("attachment", response["Content-Disposition"])
        book = load_workbook(io.BytesIO(b"".join(response)))
        headers = [cell.value for cell in book.worksheets[0][1]]
        self.assertEqual(headers[:4], ["Username", "Full name", "E-mail", "Role"])
        self.assertEqual(book.worksheets[0]["D2"].value, "Appraiser (emulation officer)")
        upload = SimpleUploadedFile("users.xlsx", b"".join(response))
        response = self.client.post(import_url, {"file": upload})
        self.assertContains(response, "1 rows: 1 users created")
        self.assertTrue(Membership.objects.filter(user__username="an.nguyen", unit=self.world.haichau_pc).exists())

    def test_staff_without_the_import_permissions_get_no_template(self):
        self.client.force_login(make_user(is_staff=True))
        self.assertEqual(self.client.get(reverse("admin:org_hierarchy_user_import_template")).status_code, 403)
