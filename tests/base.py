"""Shared test case: the world tree built once per class, and ``act_as`` to log in with a role at a unit."""

import itertools

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import TestCase, TransactionTestCase, override_settings

from org_hierarchy import services as org_services
from org_hierarchy.models import OrgUnit

from .world import build_world

_serial = itertools.count(1)


def make_user(username: str | None = None, **fields):
    username = username or f"user{next(_serial)}"
    fields.setdefault("full_name", username.replace("_", " ").title())
    return get_user_model().objects.create_user(username=username, password="pw-for-tests", **fields)


def grant(role: str, unit: OrgUnit, user=None, **kwargs):
    """Give a (new) user a role at a unit through the service, as an administrator would."""
    user = user or make_user()
    org_services.membership_grant(user=user, unit=unit, role=role, **kwargs)
    return user


# Tests create many users; the production hasher's deliberate slowness would dominate the suite's run time.
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class MeritflowTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.world = build_world()

    def act_as(self, role: str, unit: OrgUnit, user=None, **kwargs):
        """Grant ``role`` at ``unit`` to a user (a new one by default), log them in and return them."""
        user = grant(role, unit, user=user, **kwargs)
        self.client.force_login(user)
        return user


class CommittingTestCase(TransactionTestCase):
    """For tests whose threads or sockets need committed rows: a TransactionTestCase whose teardown empties
    every table. The rows the migrations seeded (catalogues, content types) are loaded again afterwards, so
    the test cases that run next, in any order, find them as the migrations left them."""

    serialized_rollback = True

    def _fixture_teardown(self):
        super()._fixture_teardown()
        connection.creation.deserialize_db_from_string(connection._test_serialized_contents)
