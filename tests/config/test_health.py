"""Health endpoints, request ids in the logs and responses, and the operational settings read from the environment."""

import json
import logging
import re
import sys
from unittest import mock

from django.conf import settings
from django.db import connections
from django.test import SimpleTestCase, TestCase, override_settings

from config.logs import JsonFormatter, RequestIdFilter
from config.version import VERSION

from .test_settings import PRODUCTION, run_python

READ_OPERATIONS = """
import json
import logging
import django
from django.conf import settings
django.setup()
import sentry_sdk
client = sentry_sdk.get_client()
print(json.dumps({
    "ADMINS": settings.ADMINS,
    "formatter": type(logging.getLogger().handlers[0].formatter).__name__,
    "sentry": client.is_active(),
    "sentry_pii": client.options.get("send_default_pii"),
    "release": client.options.get("release"),
}))
"""


class HealthTests(TestCase):
    def test_healthz_answers_without_logging_in_and_touches_no_database(self):
        with self.assertNumQueries(0):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok"})
        self.assertIn("no-cache", response.headers["Cache-Control"])

    def test_readyz_checks_the_database_and_the_storage(self):
        response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json(), {"status": "ok", "version": VERSION, "checks": {"default": "ok", "storage": "ok"}}
        )

    def test_readyz_answers_503_naming_the_failed_dependency_and_not_the_reason(self):
        with (
            mock.patch.object(connections["default"], "cursor", side_effect=OSError("connection refused: secret")),
            self.assertLogs("config.health", level="ERROR") as logs,
        ):
            response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(
            response.json(),
            {"status": "failed", "version": VERSION, "checks": {"default": "failed", "storage": "ok"}},
        )
        self.assertNotIn("secret", response.content.decode())
        self.assertIn("Readiness check default failed", logs.output[0])

    @override_settings(REDIS_URL="redis://127.0.0.1:1/0")
    def test_readyz_fails_when_the_configured_redis_does_not_answer(self):
        with self.assertLogs("config.health", level="ERROR"):
            response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["checks"]["redis"], "failed")


class RequestIdTests(TestCase):
    def test_each_response_carries_a_fresh_request_id(self):
        first = self.client.get("/healthz").headers["X-Request-ID"]
        second = self.client.get("/healthz").headers["X-Request-ID"]
        self.assertRegex(first, r"^[0-9a-f]{32}$")
        self.assertNotEqual(first, second)

    def test_the_proxy_request_id_is_kept_and_a_forged_one_replaced(self):
        response = self.client.get("/healthz", headers={"X-Request-ID": "0123456789abcdef0123"})
        self.assertEqual(response.headers["X-Request-ID"], "0123456789abcdef0123")
        response = self.client.get("/healthz", headers={"X-Request-ID": "x\nInjected: yes"})
        self.assertRegex(response.headers["X-Request-ID"], r"^[0-9a-f]{32}$")

    def test_log_lines_written_while_serving_a_request_carry_its_id(self):
        records = []
        handler = logging.Handler()
        handler.addFilter(RequestIdFilter())
        handler.emit = records.append
        logger = logging.getLogger("config.health")
        logger.addHandler(handler)
        try:
            with mock.patch.object(connections["default"], "cursor", side_effect=OSError("down")):
                response = self.client.get("/readyz", headers={"X-Request-ID": "req-0001-abcd"})
        finally:
            logger.removeHandler(handler)
        self.assertEqual(response.headers["X-Request-ID"], "req-0001-abcd")
        self.assertEqual([record.request_id for record in records], ["req-0001-abcd"])


class JsonFormatterTests(SimpleTestCase):
    def test_a_record_is_one_line_of_json_with_its_request_id_and_exception(self):
        try:
            raise ValueError("bad value")
        except ValueError:
            record = logging.LogRecord("meritflow", logging.ERROR, __file__, 1, "Đã lỗi %s", ("X",), sys.exc_info())
        record.request_id = "req-42-abcdef"
        line = JsonFormatter().format(record)
        self.assertNotIn("\n", line)
        entry = json.loads(line)
        self.assertEqual(entry["message"], "Đã lỗi X")
        self.assertEqual(entry["level"], "ERROR")
        self.assertEqual(entry["request_id"], "req-42-abcdef")
        self.assertIn("ValueError: bad value", entry["exception"])


class OperationsSettingsTests(SimpleTestCase):
    def test_development_logs_text_and_reports_to_no_one(self):
        result = run_python(READ_OPERATIONS)
        self.assertEqual(result.returncode, 0, result.stderr)
        values = json.loads(result.stdout)
        self.assertEqual(values["formatter"], "Formatter")
        self.assertEqual(values["ADMINS"], [])
        self.assertFalse(values["sentry"])

    def test_production_logs_json_reports_to_admins_and_to_sentry_when_a_dsn_is_set(self):
        result = run_python(
            READ_OPERATIONS,
            **PRODUCTION,
            ADMINS="it@example.gov.vn,ops@example.gov.vn",
            SENTRY_DSN="https://public@sentry.example.gov.vn/1",
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        values = json.loads(result.stdout)
        self.assertEqual(values["formatter"], "JsonFormatter")
        self.assertEqual(values["ADMINS"], ["it@example.gov.vn", "ops@example.gov.vn"])
        self.assertTrue(values["sentry"])
        self.assertFalse(values["sentry_pii"])
        self.assertRegex(values["release"], r"^meritflow@\d+\.\d+\.\d+")


class ReleaseTests(SimpleTestCase):
    def test_the_version_has_one_place_and_the_changelog_has_its_section(self):
        pyproject = (settings.BASE_DIR / "pyproject.toml").read_text(encoding="utf-8")
        self.assertIn(f'version = "{VERSION}"', pyproject)
        changelog = (settings.BASE_DIR / "CHANGELOG.md").read_text(encoding="utf-8")
        self.assertRegex(changelog, rf"(?m)^## {re.escape(VERSION)}\b")
