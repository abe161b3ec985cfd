"""Service accounts and tokens for the API tests, made through the services as an administrator would."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from api import services
from api.models import Scope
from org_hierarchy.models import Role
from tests.base import MeritflowTestCase, grant, make_user

# What the schemathesis run counted, printed in the session's summary (``conftest.py``).
FUZZ_SUMMARY = pytest.StashKey[list[str]]()


def issue(account, *, scopes=(Scope.READ, Scope.WRITE), days=30, actor=None):
    """Return the text of a new token of ``account``."""
    actor = actor or account.created_by
    _token, text = services.api_token_issue(
        actor=actor,
        account=account,
        name="test",
        scopes=list(scopes),
        expires_on=timezone.localdate() + datetime.timedelta(days=days),
    )
    return text


class ApiTestCase(MeritflowTestCase):
    """The world, a superuser who administers everything, and helpers to call the API with a token."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.superuser = make_user("root", is_superuser=True, is_staff=True)

    def setUp(self):
        super().setUp()
        cache.clear()

    def account(self, unit, role, *, name=None):
        return services.service_account_create(
            actor=self.superuser, name=name or f"{unit.short_name} {role}", unit=unit, role=role
        )

    def token_for(self, unit, role, **kwargs):
        return issue(self.account(unit, role), **kwargs)

    def call(self, method, url, token=None, *, language=None, headers=None, **kwargs):
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if language:
            headers["Accept-Language"] = language
        kwargs.setdefault("content_type", "application/json") if method in ("post", "put", "patch") else None
        return getattr(self.client, method)(url, headers=headers, **kwargs)

    def get(self, url, token=None, **kwargs):
        return self.call("get", url, token, **kwargs)

    def post(self, url, data=None, token=None, **kwargs):
        return self.call("post", url, token, data=data or {}, **kwargs)

    def assertProblem(self, response, status, *, code=None):
        self.assertEqual(response.status_code, status, getattr(response, "content", b"")[:500])
        self.assertEqual(response["Content-Type"], "application/problem+json")
        body = response.json()
        self.assertEqual(body["status"], status)
        self.assertTrue(body["title"] and body["detail"])
        if code:
            self.assertEqual(body["type"], f"urn:meritflow:problem:{code}")
        return body


__all__ = ["FUZZ_SUMMARY", "ApiTestCase", "Role", "grant", "issue", "make_user"]
