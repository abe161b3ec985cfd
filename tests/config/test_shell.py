"""The web shell from the outside: login wall, home, profile, account pages and the language switch."""

from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse

from org_hierarchy.models import Role
from tests.base import MeritflowTestCase, grant, make_user

SHELL_PAGES = ["index", "profile", "password_change", "password_change_done"]


class LoginWallTests(MeritflowTestCase):
    def test_anonymous_visitors_are_sent_to_the_login_page(self):
        login = reverse("login")
        for name in SHELL_PAGES:
            with self.subTest(page=name):
                url = reverse(name)
                response = self.client.get(url)
                self.assertRedirects(response, f"{login}?next={url}", fetch_redirect_response=False)

    def test_administration_shows_nothing_but_its_login_page(self):
        response = self.client.get("/admin/", follow=True)
        self.assertEqual(response.redirect_chain[-1][0], "/admin/login/?next=/admin/")
        self.assertContains(response, 'name="password"')
        self.assertNotContains(response, "org_hierarchy")

    def test_unknown_addresses_show_no_menu(self):
        response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, "vf-page__menu", status_code=404)

    def test_the_login_page_is_public_and_offers_the_language_switch(self):
        response = self.client.get(reverse("login"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'name="username"')
        self.assertContains(response, f'action="{reverse("set_language")}"')
        self.assertContains(response, 'value="en"')

    def test_password_reset_is_public_and_in_vietnamese(self):
        response = self.client.get(reverse("password_reset"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'class="mf-language-switch"')
        self.assertContains(response, "Quên mật khẩu?")

    def test_logging_in_leads_home(self):
        make_user("hc.appraiser")
        response = self.client.post(reverse("login"), {"username": "hc.appraiser", "password": "pw-for-tests"})
        self.assertRedirects(response, reverse("index"))

    def test_a_wrong_password_is_refused_with_a_message(self):
        make_user("hc.appraiser")
        response = self.client.post(reverse("login"), {"username": "hc.appraiser", "password": "wrong"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "mật khẩu chính xác")
        self.assertNotIn("_auth_user_id", self.client.session)


class ShellPagesTests(MeritflowTestCase):
    def test_every_shell_page_answers_a_logged_in_officer(self):
        self.act_as(Role.SUBMITTER, self.world.school)
        for name in SHELL_PAGES:
            with self.subTest(page=name):
                response = self.client.get(reverse(name))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, 'class="mf-language-switch"')

    def test_home_lists_the_roles_and_hides_administration_from_officers(self):
        self.act_as(Role.APPRAISER, self.world.haichau_police)
        response = self.client.get(reverse("index"))
        self.assertContains(response, "Công an Phường Hải Châu")
        self.assertNotContains(response, 'href="/admin/"')

    def test_the_menu_leads_to_every_part_on_pages_inside_and_outside_the_site(self):
        self.act_as(Role.SUBMITTER, self.world.school)
        for name in ("index", "profile"):
            with self.subTest(page=name):
                response = self.client.get(reverse(name))
                for target in ("workflows:inbox", "nominations:dossier_list", "notifications:list"):
                    self.assertContains(response, f'href="{reverse(target)}"')
                self.assertNotContains(response, f'href="{reverse("audit:ledger")}"')
                self.assertContains(response, 'class="vf-page__menu')

    def test_auditors_find_the_activity_log_in_the_menu(self):
        self.act_as(Role.AUDITOR, self.world.danang_pc)
        response = self.client.get(reverse("profile"))
        self.assertContains(response, f'href="{reverse("audit:ledger")}"')
        self.assertEqual(self.client.get(reverse("audit:ledger")).status_code, 200)

    def test_staff_find_administration_in_the_menu(self):
        user = self.act_as(Role.ADMIN, self.world.danang_pc)
        get_user_model().objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
        response = self.client.get(reverse("index"))
        self.assertContains(response, 'href="/admin/"')
        self.assertEqual(self.client.get("/admin/").status_code, 200)

    def test_officers_cannot_open_administration(self):
        self.act_as(Role.ADMIN, self.world.danang_pc)
        response = self.client.get("/admin/")
        self.assertRedirects(response, "/admin/login/?next=/admin/", fetch_redirect_response=False)

    def test_logout_ends_the_session(self):
        self.act_as(Role.SUBMITTER, self.world.school)
        response = self.client.post(reverse("logout"))
        self.assertRedirects(response, reverse("login"), fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)


class ProfileTests(MeritflowTestCase):
    def test_profile_shows_the_roles_held_today_with_delegation(self):
        head = grant(Role.APPROVER, self.world.danang_police)
        head.full_name = "Nguyễn Văn Trưởng"
        head.save()
        user = self.act_as(Role.APPRAISER, self.world.haichau_police)
        self.act_as(Role.AUDITOR, self.world.danang_pc, user=user)
        self.act_as(
            Role.APPROVER,
            self.world.danang_police,
            user=user,
            acting_for=head,
            valid_to=self.world.danang_police.memberships.first().valid_from.replace(year=2099),
        )
        response = self.client.get(reverse("profile"))
        self.assertContains(response, 'class="mf-membership-row"', count=3)
        self.assertContains(response, "Công an Phường Hải Châu")
        self.assertContains(response, "Ủy ban nhân dân Thành phố Đà Nẵng")
        self.assertContains(response, "Nguyễn Văn Trưởng")
        self.assertContains(response, "Tiếng Việt")

    def test_profile_queries_do_not_grow_with_the_roles(self):
        user = self.act_as(Role.SUBMITTER, self.world.school)
        units = [self.world.haichau_pc, self.world.thanhkhe_pc, self.world.danang_pc, self.world.mps]
        for extra in (units[:1], units[1:]):
            for unit in extra:
                grant(Role.AUDITOR, unit, user=user)
            # session, user, memberships in force (seats), the notification badge, their units and delegators
            with self.assertNumQueries(5):
                response = self.client.get(reverse("profile"))
        self.assertContains(response, 'class="mf-membership-row"', count=5)

    def test_someone_without_a_role_is_told_whom_to_ask(self):
        self.client.force_login(make_user())
        response = self.client.get(reverse("profile"))
        self.assertContains(response, "quản trị")
        self.assertNotContains(response, 'class="mf-membership-row"')


@override_settings(LANGUAGE_CODE="vi")
class LanguageTests(MeritflowTestCase):
    def test_vietnamese_is_the_default_whatever_the_browser_prefers(self):
        response = self.client.get(reverse("login"), headers={"accept-language": "en-US,en;q=0.9"})
        self.assertContains(response, 'lang="vi"')
        self.assertContains(response, "Đăng nhập")

    def test_viewflow_pages_speak_vietnamese_too(self):
        response = self.client.get(reverse("login"))
        self.assertContains(response, "Đặt lại mật khẩu")
        self.assertNotContains(response, "Reset password")
        self.act_as(Role.SUBMITTER, self.world.school)
        response = self.client.get(reverse("index"))
        self.assertContains(response, "Đăng xuất")
        self.assertContains(response, "Thông tin cá nhân")
        self.assertContains(response, 'aria-label="Mở trình đơn"')
        self.assertNotContains(response, "Open navigation menu")

    def test_switching_on_the_login_page_sets_the_language_for_this_browser(self):
        response = self.client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
        self.assertRedirects(response, reverse("login"), fetch_redirect_response=False)
        response = self.client.get(reverse("login"))
        self.assertContains(response, 'lang="en"')
        self.assertContains(response, "Log in")

    def test_a_signed_in_choice_is_saved_on_the_account_and_follows_the_person(self):
        user = self.act_as(Role.SUBMITTER, self.world.school)
        response = self.client.post(reverse("set_language"), {"language": "en", "next": reverse("profile")})
        self.assertRedirects(response, reverse("profile"), fetch_redirect_response=False)
        user.refresh_from_db()
        self.assertEqual(user.language, "en")
        self.assertEqual(user.history.latest().history_change_reason, "Interface language changed")
        self.assertEqual(user.history.latest().history_user, user)

        self.client.cookies.clear()
        self.client.force_login(user)
        response = self.client.get(reverse("profile"))
        self.assertContains(response, 'lang="en"')
        self.assertContains(response, "Your roles")

    def test_an_unknown_language_is_refused(self):
        user = self.act_as(Role.SUBMITTER, self.world.school)
        response = self.client.post(reverse("set_language"), {"language": "fr", "next": "/"})
        self.assertEqual(response.status_code, 400)
        user.refresh_from_db()
        self.assertEqual(user.language, "vi")

    def test_the_switch_never_redirects_to_another_site(self):
        response = self.client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
