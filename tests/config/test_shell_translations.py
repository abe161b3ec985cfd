"""Strings the shell takes from Django and viewflow: each in Vietnamese on Vietnamese pages, English on English ones."""

from io import StringIO
from unittest import mock

from django.core.management import call_command
from django.db.models.fields import BLANK_CHOICE_LABEL
from django.template.loader import render_to_string
from django.test import RequestFactory, SimpleTestCase, TestCase
from django.urls import reverse
from django.utils import translation
from viewflow.urls import Site

from config.site import THIRD_PARTY_STRINGS, site
from nominations import services
from nominations.models import CommendationKind
from org_hierarchy.models import Role
from tests.base import MeritflowTestCase, make_user
from tests.nominations.support import award

MENU = "viewflow/includes/site_menu.html"


def render_menu(shell_site, language: str) -> str:
    request = RequestFactory().get("/")
    request.user = mock.Mock(is_authenticated=True, has_perm=mock.Mock(return_value=True))
    with translation.override(language):
        return render_to_string(MENU, {"site": shell_site, "request": request, "shell_links": []})


class MenuTranslationTests(TestCase):
    def test_the_flow_title_follows_the_language_after_the_start_up_checks(self):
        # runserver runs the system checks in the serving process before the first request; anything they
        # evaluate once (a lazy title turned into text) would keep the language of that moment.
        with translation.override("en"):
            call_command("check", stdout=StringIO())
        vietnamese, english = render_menu(site, "vi"), render_menu(site, "en")
        self.assertIn("Đề nghị khen thưởng", vietnamese)
        self.assertNotIn("Commendation nomination", vietnamese)
        self.assertIn("Commendation nomination", english)
        self.assertNotIn("Đề nghị khen thưởng", english)

    def test_an_empty_menu_says_so_in_the_page_language(self):
        empty = Site(title="Meritflow", viewsets=[])
        self.assertIn("Không có ứng dụng nào.", render_menu(empty, "vi"))
        self.assertIn("No applications found.", render_menu(empty, "en"))
        self.assertNotIn("No applications", render_menu(site, "en"))


class ThirdPartyStringTests(SimpleTestCase):
    def test_every_string_taken_from_django_has_a_vietnamese_translation(self):
        for text in THIRD_PARTY_STRINGS:
            with self.subTest(text=text), translation.override("vi"):
                self.assertNotEqual(translation.gettext(text), text)

    def test_django_blank_choice_label_is_one_of_them(self):
        with translation.override("vi"):
            self.assertEqual(str(BLANK_CHOICE_LABEL), "- Chọn một mục -")


class BlankChoiceOnPagesTests(MeritflowTestCase):
    def test_the_nominee_form_offers_an_empty_choice_in_the_page_language(self):
        submitter = self.act_as(Role.SUBMITTER, self.world.residential_group, user=make_user(language="vi"))
        dossier = services.dossier_create(
            actor=submitter,
            originating_unit=self.world.residential_group,
            title="Khen thưởng năm 2026",
            kind=CommendationKind.ANNUAL,
            award_type=award("gk_chu_tich_xa"),
            year=2026,
        )
        response = self.client.get(reverse("nominations:nominee_create", args=[dossier.pk]))
        self.assertContains(response, '<option value="" selected>- Chọn một mục -</option>', html=True)
        self.assertNotContains(response, "Select an option")
