"""Service accounts, tokens, problem details, languages and throttling, from the outside."""

import datetime
import io
from unittest import mock

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from api import services
from api.models import ApiToken, ServiceAccount
from api.throttling import PerTokenThrottle
from audit.models import LedgerEntry
from nominations.models import AwardForm, AwardType, Campaign, CampaignSubjectGroup
from org_hierarchy.models import Branch, Level, Role

from .support import ApiTestCase, grant, issue, make_user

UNITS = "/api/v1/units/"


class TokenTests(ApiTestCase):
    def test_a_token_reads_as_its_account_and_is_kept_as_a_digest_only(self):
        account = self.account(self.world.haichau_pc, Role.APPRAISER)
        text = issue(account)
        response = self.get(UNITS, text)
        self.assertEqual(response.status_code, 200)
        self.assertEqual([unit["id"] for unit in response.json()], [self.world.haichau_pc.pk])
        token = ApiToken.objects.get(account=account)
        self.assertNotEqual(token.digest, text)
        self.assertFalse(ApiToken.objects.filter(digest__contains=text.split("_")[-1]).exists())
        self.assertTrue(text.startswith(f"mf_{token.prefix}_"))
        self.assertIsNotNone(token.last_used_at)

    def test_unknown_malformed_expired_and_revoked_tokens_are_refused_alike(self):
        account = self.account(self.world.haichau_pc, Role.APPRAISER)
        revoked = issue(account)
        services.api_token_revoke(actor=self.superuser, token=ApiToken.objects.get(account=account))
        expired = issue(account)
        ApiToken.objects.filter(account=account, revoked_at__isnull=True).update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
        wrong_secret = issue(account)[:-4] + "AAAA"
        for text in ("nonsense", "mf_0123456789ab_x", revoked, expired, wrong_secret):
            with self.subTest(text=text[:12]):
                body = self.assertProblem(self.get(UNITS, text), 401, code="not-authenticated")
                self.assertEqual(body["detail"], "Mã truy cập không tồn tại, đã hết hạn hoặc đã bị thu hồi.")

    def test_no_credentials_is_401_with_the_bearer_challenge(self):
        response = self.get(UNITS)
        self.assertProblem(response, 401)
        self.assertEqual(response["WWW-Authenticate"], 'Bearer realm="meritflow"')

    def test_the_browser_session_works_too(self):
        user = grant(Role.SUBMITTER, self.world.school)
        self.client.force_login(user)
        self.assertEqual([unit["id"] for unit in self.get(UNITS).json()], [self.world.school.pk])

    def test_issuing_checks_its_input_and_its_administrator(self):
        account = self.account(self.world.haichau_pc, Role.APPRAISER)
        foreign_admin = grant(Role.ADMIN, self.world.hanoi_pc)
        with self.assertRaisesMessage(Exception, "quản trị"):
            services.api_token_issue(
                actor=foreign_admin, account=account, name="x", scopes=["read"], expires_on=timezone.localdate()
            )
        with self.assertRaises(services.ValidationError) as raised:
            services.api_token_issue(
                actor=self.superuser,
                account=account,
                name="",
                scopes=[],
                expires_on=timezone.localdate() + datetime.timedelta(days=4000),
            )
        self.assertEqual(set(raised.exception.message_dict), {"name", "scopes", "expires_on"})


class ProblemTests(ApiTestCase):
    def test_a_unit_outside_the_scope_is_404_in_the_callers_language(self):
        text = self.token_for(self.world.haichau_pc, Role.APPRAISER)
        self.assertEqual(self.get(f"{UNITS}{self.world.residential_group.pk}/", text).status_code, 200)
        vi = self.assertProblem(self.get(f"{UNITS}{self.world.hanoi_pc.pk}/", text), 404, code="not-found")
        en = self.assertProblem(self.get(f"{UNITS}{self.world.hanoi_pc.pk}/", text, language="en-US,en;q=0.8"), 404)
        self.assertEqual(en["title"], "Not found")
        self.assertNotEqual(vi["title"], en["title"])

    def test_an_unknown_address_under_the_api_is_a_problem_too(self):
        text = self.token_for(self.world.haichau_pc, Role.APPRAISER)
        response = self.get("/api/v1/nothing-here/", text, language="en")
        self.assertEqual(self.assertProblem(response, 404)["title"], "Not found")
        self.assertEqual(response["Content-Language"], "en")


class ThrottleTests(ApiTestCase):
    def test_each_token_has_its_own_budget(self):
        first = self.token_for(self.world.haichau_pc, Role.APPRAISER)
        second = self.token_for(self.world.haichau_pc, Role.SECRETARY)
        with mock.patch.object(PerTokenThrottle, "THROTTLE_RATES", {"token": "2/minute"}):
            self.assertEqual(self.get(UNITS, first).status_code, 200)
            self.assertEqual(self.get(UNITS, first).status_code, 200)
            response = self.get(UNITS, first)
            self.assertProblem(response, 429, code="throttled")
            self.assertIn("Retry-After", response)
            self.assertEqual(self.get(UNITS, second).status_code, 200)


class ReadResourceTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.award = AwardType.objects.create(
            code="commune_chair_certificate",
            name_vi="Giấy khen của Chủ tịch UBND cấp xã",
            name_en="Commune chair's certificate of merit",
            form=AwardForm.GIAY_KHEN,
            deciding_branch=Branch.CIVIL,
            deciding_level=Level.COMMUNE,
        )
        AwardType.objects.create(
            code="retired",
            name_vi="Cũ",
            form=AwardForm.GIAY_KHEN,
            deciding_branch=Branch.CIVIL,
            deciding_level=Level.COMMUNE,
            is_active=False,
        )
        cls.campaign = Campaign.objects.create(
            name="Phong trào thi đua 2026", period_start=datetime.date(2026, 1, 1), launching_unit=cls.world.danang_pc
        )
        CampaignSubjectGroup.objects.create(
            campaign=cls.campaign,
            position=1,
            name_vi="Công nhân, người lao động",
            name_en="Workers",
            legal_reference="Kế hoạch số 12/KH-UBND, mục II",
        )

    def test_units_search_and_tree_stay_in_the_scope(self):
        text = self.token_for(self.world.danang_pc, Role.APPRAISER)
        found = self.get(UNITS, text, data={"search": "hai chau"}).json()
        self.assertIn(self.world.haichau_pc.pk, [unit["id"] for unit in found])
        self.assertEqual(self.get(UNITS, text, data={"search": "ba dinh"}).json(), [])
        children = self.get(f"{UNITS}{self.world.haichau_pc.pk}/children/", text).json()["results"]
        self.assertEqual({unit["id"] for unit in children}, {self.world.residential_group.pk, self.world.school.pk})
        self.assertTrue(all(unit["parent"] == self.world.haichau_pc.pk for unit in children))
        self.assertProblem(self.get(f"{UNITS}{self.world.badinh_pc.pk}/children/", text), 404)
        unit = self.get(f"{UNITS}{self.world.haichau_pc.pk}/", text, language="en").json()
        self.assertEqual(unit["level"], {"code": Level.COMMUNE, "label": "Commune"})
        self.assertEqual(unit["parent"], self.world.danang_pc.pk)

    def test_award_types_and_campaigns(self):
        text = self.token_for(self.world.school, Role.SUBMITTER)
        awards = self.get("/api/v1/award-types/", text, language="en", data={"limit": 200}).json()["results"]
        by_code = {award["code"]: award for award in awards}
        self.assertNotIn("retired", by_code)
        self.assertEqual(by_code["commune_chair_certificate"]["name"], "Commune chair's certificate of merit")
        self.assertEqual(by_code["commune_chair_certificate"]["form"]["code"], AwardForm.GIAY_KHEN)
        campaigns = self.get("/api/v1/campaigns/", text, language="en").json()["results"]
        self.assertEqual([c["name"] for c in campaigns], ["Phong trào thi đua 2026"])
        [group] = campaigns[0]["subject_groups"]
        self.assertEqual((group["name"], group["legal_reference"]), ("Workers", "Kế hoạch số 12/KH-UBND, mục II"))
        self.assertEqual(self.get(f"/api/v1/campaigns/{self.campaign.pk}/", text).status_code, 200)


class AccountPageTests(ApiTestCase):
    def test_an_administrator_creates_an_account_and_sees_its_token_once(self):
        admin = grant(Role.ADMIN, self.world.haichau_pc, user=make_user("haichau_admin"))
        self.client.force_login(admin)
        self.assertEqual(self.client.get("/api/accounts/").status_code, 200)
        response = self.client.post(
            "/api/accounts/new/",
            {"name": "LGSP Đà Nẵng", "unit": self.world.residential_group.pk, "role": Role.SUBMITTER},
        )
        account = ServiceAccount.objects.get(name="LGSP Đà Nẵng")
        self.assertRedirects(response, f"/api/accounts/{account.pk}/")
        self.assertFalse(account.user.has_usable_password())
        response = self.client.post(
            f"/api/accounts/{account.pk}/tokens/new/",
            {"name": "production", "scopes": ["read", "write"], "expires_on": "31/12/2099"},
        )
        self.assertEqual(response.status_code, 400)  # beyond the longest validity
        expires = (timezone.localdate() + datetime.timedelta(days=30)).strftime("%d/%m/%Y")
        response = self.client.post(
            f"/api/accounts/{account.pk}/tokens/new/",
            {"name": "production", "scopes": ["read", "write"], "expires_on": expires},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Cache-Control"], "no-store")
        text = response.context["text"]
        self.assertContains(response, text)
        detail = self.client.get(f"/api/accounts/{account.pk}/")
        self.assertNotContains(detail, text)
        self.assertContains(detail, f"mf_{ApiToken.objects.get().prefix}_")
        self.assertEqual(
            list(LedgerEntry.objects.filter(actor=admin).values_list("event", flat=True).order_by("sequence")),
            ["membership.granted", "service_account.created", "api_token.issued"],
        )
        token = ApiToken.objects.get()
        self.client.post(f"/api/accounts/{account.pk}/tokens/{token.pk}/revoke/")
        self.client.logout()
        self.assertProblem(self.get(UNITS, text), 401)
        self.assertTrue(LedgerEntry.objects.filter(event="api_token.revoked", actor=admin).exists())

    def test_others_cannot_manage_accounts(self):
        account = self.account(self.world.haichau_pc, Role.APPRAISER)
        self.client.force_login(grant(Role.ADMIN, self.world.hanoi_pc))
        self.assertEqual(self.client.get(f"/api/accounts/{account.pk}/").status_code, 404)
        self.assertEqual(self.client.post(f"/api/accounts/{account.pk}/tokens/new/", {}).status_code, 404)
        response = self.client.post(
            "/api/accounts/new/", {"name": "x", "unit": self.world.haichau_pc.pk, "role": Role.SUBMITTER}
        )
        self.assertEqual(response.status_code, 400)
        self.client.force_login(grant(Role.SUBMITTER, self.world.haichau_pc))
        self.assertEqual(self.client.get("/api/accounts/").status_code, 403)


class SchemaTests(ApiTestCase):
    def test_the_schema_and_its_readers_are_served_without_a_cdn(self):
        self.client.logout()
        response = self.client.get("/api/schema/", headers={"Accept": "application/json"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["openapi"], "3.1.0")
        for url in ("/api/schema/swagger/", "/api/schema/redoc/"):
            with self.subTest(url=url):
                page = self.client.get(url)
                self.assertEqual(page.status_code, 200)
                html = page.content.decode()
                self.assertIn("/static/drf_spectacular_sidecar/", html)
                self.assertNotIn("https://", html)
                self.assertNotIn("<style", html)
        script = self.client.get("/api/schema/swagger/?script=")
        self.assertEqual(script.status_code, 200)


class CommittedSchemaTests(ApiTestCase):
    def test_docs_api_openapi_yaml_is_the_schema_of_the_code(self):
        """Regenerate it with: manage.py spectacular --lang en --validate --file docs/api/openapi.yaml"""
        out = io.StringIO()
        call_command("spectacular", "--lang", "en", "--validate", "--fail-on-warn", stdout=out)
        committed = (settings.BASE_DIR / "docs" / "api" / "openapi.yaml").read_text()
        self.assertEqual(out.getvalue(), committed, "docs/api/openapi.yaml is out of date")
