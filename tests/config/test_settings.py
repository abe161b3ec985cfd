"""Settings read from the environment: the development defaults and the production mode's refusals and checks.

Each case starts a fresh interpreter, since settings are read once at start-up.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.test import SimpleTestCase

BASE_DIR = Path(__file__).resolve().parents[2]
# Variables the settings read; a case sets only those it is about.
SETTINGS_VARIABLES = {
    "MERITFLOW_MODE",
    "DJANGO_DEBUG",
    "MFA_REQUIRED_ROLES",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DATABASE_CONN_MAX_AGE",
    "REDIS_URL",
    "EMAIL_URL",
    "EMAIL_TIMEOUT",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "ADMINS",
    "TASKS_BACKEND",
    "MEDIA_STORAGE_URL",
    "DATABASE_REPLICA_URL",
    "MEDIA_ACCEL_REDIRECT",
    "LOG_FORMAT",
    "SENTRY_DSN",
    "CSP_REPORT_URI",
}
PRODUCTION = {
    "MERITFLOW_MODE": "production",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "khenthuong.example.gov.vn",
    "EMAIL_URL": "smtp+tls://mailer:secret@mail.example.gov.vn:587",
}
READ_SETTINGS = """
import json
import django
from django.conf import settings
django.setup()
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "DATABASE": settings.DATABASES["default"],
    "CHANNEL_LAYER": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "CACHE": settings.CACHES["default"]["BACKEND"],
    "MAILERS": settings.MAILERS,
    "LANGUAGE_CODE": settings.LANGUAGE_CODE,
    "MFA_REQUIRED_ROLES": settings.MFA_REQUIRED_ROLES,
    "SECURE_CSP": settings.SECURE_CSP,
}, default=str))
"""
DEPLOY_CHECK = """
import django
from django.core.management import call_command
django.setup()
call_command("check", deploy=True, fail_level="WARNING")
"""


def run_python(code: str, **variables) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if name not in SETTINGS_VARIABLES}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", **variables)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def read_settings(**variables) -> dict:
    result = run_python(READ_SETTINGS, **variables)
    if result.returncode:
        raise AssertionError(result.stderr)
    return json.loads(result.stdout)


class DevelopmentDefaultsTests(SimpleTestCase):
    def test_with_nothing_set_the_project_runs_on_sqlite_in_memory_layers_and_console_mail(self):
        values = read_settings()
        self.assertTrue(values["DEBUG"])
        self.assertEqual(values["DATABASE"]["ENGINE"], "django.db.backends.sqlite3")
        self.assertTrue(values["DATABASE"]["NAME"].endswith("db.sqlite3"))
        self.assertEqual(values["CHANNEL_LAYER"], "channels.layers.InMemoryChannelLayer")
        self.assertEqual(values["CACHE"], "django.core.cache.backends.locmem.LocMemCache")
        self.assertEqual(values["MAILERS"]["default"]["BACKEND"], "django.core.mail.backends.console.EmailBackend")
        self.assertEqual(values["LANGUAGE_CODE"], "vi")
        # The demo and the tests sign in with a password alone.
        self.assertEqual(values["MFA_REQUIRED_ROLES"], [])

    def test_the_content_security_policy_reports_where_told(self):
        self.assertNotIn("report-uri", read_settings()["SECURE_CSP"])
        values = read_settings(CSP_REPORT_URI="https://errors.example.gov.vn/api/2/security/?sentry_key=k")
        self.assertEqual(
            values["SECURE_CSP"]["report-uri"], ["https://errors.example.gov.vn/api/2/security/?sentry_key=k"]
        )

    def test_redis_url_switches_the_channel_layer_and_the_cache(self):
        values = read_settings(REDIS_URL="redis://127.0.0.1:6379/1")
        self.assertEqual(values["CHANNEL_LAYER"], "channels_redis.core.RedisChannelLayer")
        self.assertEqual(values["CACHE"], "django.core.cache.backends.redis.RedisCache")

    def test_postgresql_connections_are_not_kept_per_thread_by_default(self):
        values = read_settings(DATABASE_URL="postgres://meritflow:pw@db.internal:5432/meritflow")
        self.assertEqual(values["DATABASE"]["ENGINE"], "django.db.backends.postgresql")
        self.assertEqual(values["DATABASE"]["NAME"], "meritflow")
        self.assertEqual(values["DATABASE"]["CONN_MAX_AGE"], 0)
        self.assertTrue(values["DATABASE"]["CONN_HEALTH_CHECKS"])

    def test_the_mail_url_becomes_the_default_mailer(self):
        values = read_settings(EMAIL_URL="smtp+tls://mailer%40example.gov.vn:secret@mail.example.gov.vn:587")
        self.assertEqual(
            values["MAILERS"]["default"],
            {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {
                    "host": "mail.example.gov.vn",
                    "port": 587,
                    "username": "mailer@example.gov.vn",
                    "password": "secret",
                    "use_tls": True,
                    "timeout": 30,
                },
            },
        )


class ProductionModeTests(SimpleTestCase):
    def test_production_refuses_to_start_without_a_secret_key(self):
        result = run_python(READ_SETTINGS, **{**PRODUCTION, "SECRET_KEY": ""})
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("Production mode needs SECRET_KEY", result.stderr)

    def test_production_refuses_a_short_secret_key(self):
        result = run_python(READ_SETTINGS, **{**PRODUCTION, "SECRET_KEY": "too-short"})
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("Production mode needs SECRET_KEY", result.stderr)

    def test_production_refuses_to_start_without_allowed_hosts(self):
        result = run_python(READ_SETTINGS, **{**PRODUCTION, "ALLOWED_HOSTS": ""})
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("Production mode needs ALLOWED_HOSTS", result.stderr)

    def test_an_unknown_mode_is_refused(self):
        result = run_python(READ_SETTINGS, MERITFLOW_MODE="staging")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("MERITFLOW_MODE must be", result.stderr)

    def test_production_requires_two_factor_authentication_for_the_roles_that_sign_vote_appraise_administer_audit(
        self,
    ):
        values = read_settings(**PRODUCTION)
        self.assertEqual(values["MFA_REQUIRED_ROLES"], ["approver", "secretary", "appraiser", "admin", "auditor"])
        self.assertEqual(
            read_settings(**PRODUCTION, MFA_REQUIRED_ROLES="approver,admin")["MFA_REQUIRED_ROLES"],
            [
                "approver",
                "admin",
            ],
        )
        self.assertEqual(read_settings(**PRODUCTION, MFA_REQUIRED_ROLES="")["MFA_REQUIRED_ROLES"], [])

    def test_production_passes_the_deployment_checks_without_a_single_warning(self):
        result = run_python(DEPLOY_CHECK, **PRODUCTION)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("no issues", result.stdout + result.stderr)

    def test_the_deployment_checks_do_fail_on_an_insecure_production_setup(self):
        result = run_python(DEPLOY_CHECK, **PRODUCTION, DJANGO_DEBUG="true", SECURE_SSL_REDIRECT="false")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("security.W018", result.stderr)
        self.assertIn("security.W008", result.stderr)

    def test_production_without_a_real_mail_server_fails_the_checks(self):
        result = run_python(DEPLOY_CHECK, **{**PRODUCTION, "EMAIL_URL": "consolemail://"})
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("mail.E001", result.stderr)
