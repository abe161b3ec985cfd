"""Scale-out: with the Redis channel layer, what one server process does reaches a socket held by another.

Two separate daphne processes share a file SQLite database and a Redis server. A browser session's websocket is
connected to process B; then (1) a notification created in a third process and (2) a request handled by process A
(marking all read, which pushes the new unread count) must both reach that socket within a few seconds.

Needs ``REDIS_TEST_URL``; skipped without it, unless ``MERITFLOW_REQUIRE_REDIS=1`` (as in CI), which makes the
missing Redis a failure.
"""

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from websockets.sync.client import connect

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "")
REQUIRE_REDIS = os.environ.get("MERITFLOW_REQUIRE_REDIS") == "1"
PUSH_TIMEOUT = 5
START_TIMEOUT = 30

SEED = """
import json
from django.test import Client
from notifications import services
from tests.base import make_user
user = make_user("scale_out", email="")
client = Client()
client.force_login(user)
services.notify(recipients=[user], event="stage.received", title="Hồ sơ chờ thẩm định")
print(json.dumps({"session": client.cookies["sessionid"].value}))
"""

NOTIFY = """
from django.contrib.auth import get_user_model
from notifications import services
user = get_user_model().objects.get(username="scale_out")
services.notify(recipients=[user], event="stage.returned", title="Trả lại")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"server on port {port} did not start")


@pytest.fixture
def environment(tmp_path: Path):
    if not REDIS_TEST_URL:
        if REQUIRE_REDIS:
            pytest.fail("MERITFLOW_REQUIRE_REDIS=1 but REDIS_TEST_URL is not set")
        pytest.skip("set REDIS_TEST_URL to run the multi-process notification test")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "MERITFLOW_MODE": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "REDIS_URL": REDIS_TEST_URL,
        "EMAIL_URL": "consolemail://",
        "PYTHONUNBUFFERED": "1",
    }
    return env


def manage(env, *args) -> str:
    completed = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_push_crosses_server_processes(environment, tmp_path):
    manage(environment, "migrate", "--noinput")
    session = json.loads(manage(environment, "shell", "--no-imports", "-c", SEED).strip().splitlines()[-1])["session"]
    ports = {"A": free_port(), "B": free_port()}
    servers = {
        name: subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=(tmp_path / f"daphne-{name}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for name, port in ports.items()
    }
    try:
        for name, port in ports.items():
            wait_for_port(port, servers[name])
        cookie = f"{settings.SESSION_COOKIE_NAME}={session}"
        with connect(
            f"ws://127.0.0.1:{ports['B']}/ws/notifications/",
            additional_headers={"Cookie": cookie, "Origin": f"http://127.0.0.1:{ports['B']}"},
            open_timeout=PUSH_TIMEOUT,
        ) as browser:
            # 1. A notification created by another process is pushed to the socket held by B.
            manage(environment, "shell", "--no-imports", "-c", NOTIFY)
            pushed = json.loads(browser.recv(timeout=PUSH_TIMEOUT))
            assert pushed["title"] == "Trả lại"
            assert pushed["unread"] == 2

            # 2. A request handled by A (mark all read) pushes the new count to the socket held by B.
            token = secrets.token_hex(16)
            connection = http.client.HTTPConnection("127.0.0.1", ports["A"], timeout=PUSH_TIMEOUT)
            connection.request(
                "POST",
                "/notifications/read-all/",
                body=f"csrfmiddlewaretoken={token}",
                headers={
                    "Cookie": f"{cookie}; {settings.CSRF_COOKIE_NAME}={token}",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            response = connection.getresponse()
            assert response.status == 302, response.read()[:500]
            assert json.loads(browser.recv(timeout=PUSH_TIMEOUT)) == {"unread": 0}
    finally:
        for server in servers.values():
            server.terminate()
        for server in servers.values():
            server.wait(timeout=10)
