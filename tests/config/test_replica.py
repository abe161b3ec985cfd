"""The heavy read-only pages read from a real PostgreSQL streaming replica; everything else from the primary.

``.ci/run`` starts a standby of its PostgreSQL server with ``pg_basebackup`` and names it in
``REPLICA_TEST_URL``. The test creates a database on the primary (the standby receives it by streaming), seeds
it, then requests pages through Django's test client in a process whose settings have ``DATABASE_REPLICA_URL``,
counting each connection's queries. Skipped without a replica, unless ``MERITFLOW_REQUIRE_REPLICA=1`` (as in CI).
"""

import json
import os
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import SimpleTestCase

REPLICA_TEST_URL = os.environ.get("REPLICA_TEST_URL", "")
REQUIRE_REPLICA = os.environ.get("MERITFLOW_REQUIRE_REPLICA") == "1"
NAME = "meritflow_replica_check"

SEED = """
from django.db import transaction
from audit.events import AuditEvent
from audit.services import record
from org_hierarchy.models import Role
from tests.base import grant, make_user
from tests.world import build_world

world = build_world()
officer = make_user("officer", full_name="Đặng Văn Ký")
unit = world.haichau_pc
with transaction.atomic():
    record(AuditEvent.STAGE_SIGNED, actor=officer, unit=unit, subject=unit, reason="Ký tờ trình qua bản sao")
grant(Role.AUDITOR, world.danang_pc, user=make_user("auditor"))
grant(Role.SUBMITTER, world.residential_group, user=make_user("submitter"))
"""

VISIT = """
import json
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

def visit(username, url):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    primary, replica = CaptureQueriesContext(connections["default"]), CaptureQueriesContext(connections["replica"])
    with primary, replica:
        response = client.get(url)
        content = b"".join(response.streaming_content) if response.streaming else response.content
    return {
        "status": response.status_code,
        "found": "Ký tờ trình qua bản sao" in content.decode(),
        "primary": [query["sql"] for query in primary.captured_queries],
        "replica": [query["sql"] for query in replica.captured_queries],
    }

with connections["replica"].cursor() as cursor:
    cursor.execute("SELECT pg_is_in_recovery()")
    standby = cursor.fetchone()[0]
print(json.dumps({
    "standby": standby,
    "ledger": visit("auditor", reverse("audit:ledger")),
    "export": visit("auditor", reverse("audit:export", args=["csv"])),
    "statistics": visit("auditor", reverse("reports:statistics")),
    "dossiers": visit("submitter", reverse("nominations:dossier_list")),
    "home": visit("auditor", "/"),
}))
"""


def _database(url: str) -> str:
    return urlsplit(url)._replace(path=f"/{NAME}").geturl()


def _manage(env, *args) -> str:
    command = [sys.executable, "manage.py", *args]
    completed = subprocess.run(command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr[-4000:]
    return completed.stdout


@pytest.mark.postgres
class ReplicaRoutingTests(SimpleTestCase):
    def setUp(self):
        primary = os.environ.get("DATABASE_URL", "")
        if not (REPLICA_TEST_URL and primary.startswith("postgres")):
            if REQUIRE_REPLICA:
                self.fail("MERITFLOW_REQUIRE_REPLICA=1 but REPLICA_TEST_URL or a PostgreSQL DATABASE_URL is missing")
            self.skipTest("set REPLICA_TEST_URL (a streaming standby of DATABASE_URL's server) to run this test")
        import psycopg2

        self.psycopg2 = psycopg2
        self.primary = _database(primary)
        self.replica = _database(REPLICA_TEST_URL)
        connection = psycopg2.connect(urlsplit(primary)._replace(path="/postgres").geturl())
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{NAME}"')
        connection.close()
        self.env = {
            **{key: value for key, value in os.environ.items() if key not in {"DATABASE_REPLICA_URL", "REDIS_URL"}},
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "MERITFLOW_MODE": "development",
            "DATABASE_URL": self.primary,
            "EMAIL_URL": "consolemail://",
        }

    def wait_for_the_standby(self, reason: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                connection = self.psycopg2.connect(self.replica)
                with connection.cursor() as cursor:
                    cursor.execute("SELECT count(*) FROM audit_ledgerentry WHERE reason = %s", [reason])
                    if cursor.fetchone()[0]:
                        connection.close()
                        return
                connection.close()
            except self.psycopg2.Error:
                pass
            time.sleep(0.5)
        self.fail("the standby did not receive the seeded ledger entry")

    def test_heavy_pages_read_from_the_replica_and_the_others_from_the_primary(self):
        _manage(self.env, "migrate", "--noinput", "-v", "0")
        _manage(self.env, "shell", "--no-imports", "-c", SEED)
        self.wait_for_the_standby("Ký tờ trình qua bản sao")
        visits = json.loads(
            _manage({**self.env, "DATABASE_REPLICA_URL": self.replica}, "shell", "--no-imports", "-c", VISIT)
            .strip()
            .splitlines()[-1]
        )
        self.assertTrue(visits.pop("standby"), "REPLICA_TEST_URL is not a server in recovery (a standby)")
        for page in ("ledger", "export", "statistics"):
            with self.subTest(page=page):
                visit = visits[page]
                self.assertEqual(visit["status"], 200)
                self.assertTrue(visit["replica"], "no query went to the replica")
                self.assertFalse(
                    [sql for sql in visit["primary"] if "audit_ledgerentry" in sql or "nominations_" in sql],
                    "the page's data was read from the primary",
                )
                self.assertFalse([sql for sql in visit["replica"] if "django_session" in sql])
        self.assertTrue(visits["ledger"]["found"] and visits["export"]["found"])
        for page in ("dossiers", "home"):
            with self.subTest(page=page):
                self.assertEqual(visits[page]["status"], 200)
                self.assertEqual(visits[page]["replica"], [], "a page that is not heavy read from the replica")
                self.assertTrue(visits[page]["primary"])
