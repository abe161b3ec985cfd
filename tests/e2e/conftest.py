"""The browser tests' world: the demo data served by a real ASGI server, and a headless Chromium.

One server for the whole e2e run: a fresh file SQLite database is migrated and seeded with ``seed_demo`` (the
demo users of ``org_hierarchy/demo.py``), then ``manage.py runserver`` (daphne, so websockets work, and static
files in DEBUG) serves it on a free loopback port. Each person gets their own browser context (own cookies).

The tests skip when Debian's Chromium is absent, unless ``MERITFLOW_REQUIRE_BROWSER=1`` (as in CI), which makes a
missing browser a failure. Screenshots go to ``e2e-artifacts/screenshots/`` on every run.
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

from org_hierarchy.demo import DEMO_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("MERITFLOW_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
# The narrowest phone the pages are made for.
PHONE_VIEWPORT = {"width": 375, "height": 740}
START_TIMEOUT = 60
SCREENSHOTS = Path(settings.BASE_DIR) / "e2e-artifacts" / "screenshots"
# Patched into every page before its scripts run: lets a test wait until the notification socket is open
# instead of sleeping (the application's socket lives in a module and is not reachable otherwise).
TRACK_SOCKETS = """
(() => {
  const Native = window.WebSocket;
  window.__mfSockets = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      window.__mfSockets.push(this);
    }
  };
})();
"""
# Also patched into every page: each Content-Security-Policy violation the browser reports is handed to the test
# (``People.csp_violations``), whatever page it happens on.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__mfCspViolation({
    page: document.location.href,
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: `${event.sourceFile}:${event.lineNumber}`,
    sample: event.sample,
  });
});
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _manage(env, *args) -> None:
    completed = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]


@pytest.fixture(scope="session")
def browser_ready():
    if not CHROMIUM.exists():
        if REQUIRE_BROWSER:
            pytest.fail(f"MERITFLOW_REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium) to run the browser tests")


@pytest.fixture(scope="session")
def server_env(browser_ready, tmp_path_factory):
    """The environment of the served database: a test may add data with ``manage(server_env, ...)``."""
    root = tmp_path_factory.mktemp("e2e-server")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "MERITFLOW_MODE": "development",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{root / 'db.sqlite3'}",
        "MEDIA_ROOT": str(root / "media"),
        # One server process: the in-memory channel layer carries the pushes.
        "REDIS_URL": "",
        "EMAIL_URL": f"filemail:///{root / 'mail'}",
        "PYTHONUNBUFFERED": "1",
        "MERITFLOW_E2E_ROOT": str(root),
    }


def manage(env, *args) -> None:
    """Run a management command against the served database."""
    _manage(env, *args)


@contextlib.contextmanager
def serving(env):
    """Serve the database of ``env`` on a free loopback port; yield the base URL, stop the server afterwards."""
    root = Path(env["MERITFLOW_E2E_ROOT"])
    port = _free_port()
    log_path = root / f"server-{port}.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            # Production servers run no system checks at start-up; neither does this one.
            [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{port}"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if server.poll() is not None:
                raise AssertionError(f"the server exited with {server.returncode}:\n{log_path.read_text()[-4000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("the server did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="session")
def live_server_url(server_env):
    """Migrate and seed a fresh database, serve it, and yield the base URL; the server stops afterwards."""
    _manage(server_env, "migrate", "--noinput")
    _manage(server_env, "seed_demo")
    with serving(server_env) as url:
        yield url


@pytest.fixture(scope="session")
def browser(browser_ready):
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshots():
    """The run's screenshot folder, emptied of an earlier run's pictures."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    return SCREENSHOTS


class People:
    """Opens one browser context per demo user, signed in through the login page.

    Records server errors and Content-Security-Policy violations (reported as events or on the console): a test
    that leaves any fails.
    """

    def __init__(self, browser, base_url):
        self.browser = browser
        self.base_url = base_url
        self.contexts = []
        self.server_errors = []
        self.csp_violations = []

    def _record_errors(self, response):
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.url}")

    def _record_console_violations(self, message):
        if "Content Security Policy" in message.text:
            self.csp_violations.append({"page": message.page.url if message.page else "", "console": message.text})

    def anonymous(self, viewport=VIEWPORT):
        """A fresh browser context signed in as nobody, on the login page (a Vietnamese browser)."""
        context = self.browser.new_context(base_url=self.base_url, locale="vi-VN", viewport=viewport)
        context.set_default_timeout(15_000)
        context.add_init_script(TRACK_SOCKETS)
        context.expose_binding("__mfCspViolation", lambda _source, violation: self.csp_violations.append(violation))
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.on("response", self._record_errors)
        context.on("console", self._record_console_violations)
        self.contexts.append(context)
        page = context.new_page()
        # The questions asked before an act ("Submit this dossier?") are answered yes, and kept for the tests.
        page.dialogs = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.accept()))
        page.goto("/accounts/login/")
        return page

    def open(self, username: str, viewport=VIEWPORT):
        """A fresh browser context signed in as ``username`` through the login form."""
        page = self.anonymous(viewport)
        page.locator("#id_username_control").fill(username)
        page.locator("#id_password_control").fill(DEMO_PASSWORD)
        page.locator("form.vf-form button[type=submit]").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def people(browser, live_server_url):
    crowd = People(browser, live_server_url)
    yield crowd
    crowd.close()
    assert not crowd.server_errors, crowd.server_errors
    assert not crowd.csp_violations, crowd.csp_violations
