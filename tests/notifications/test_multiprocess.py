"""Scale-out: with the Redis channel layer, what one server process does reaches a socket held by another.

Two separate daphne processes share a file SQLite database and a Redis server. The commune appraiser's websocket is
connected to process B; then (1) the submitter submits a dossier through process A, which creates the appraiser's
task and notifies them, and (2) the appraiser marks all read through process A, which pushes the new unread count:
both must reach the socket on B within a few seconds.

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
from urllib.parse import urlencode

import pytest
from django.conf import settings
from websockets.sync.client import connect

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "")
REQUIRE_REDIS = os.environ.get("MERITFLOW_REQUIRE_REDIS") == "1"
PUSH_TIMEOUT = 5
START_TIMEOUT = 30

# A commune-level dossier ready to submit, its submitter and the commune's appraiser, each with a session.
SEED = """
import json
from django.test import Client
from nominations import services as nomination_services
from nominations.models import CommendationKind, SubjectType
from org_hierarchy.models import Branch, Level, Role
from tests.base import grant, make_user
from tests.workflows.base import award_type
from tests.world import build_world
from workflows.flows import NominationFlow
from workflows.selectors import node_url

world = build_world()
award = award_type("commune_chair_certificate", branch=Branch.CIVIL, level=Level.COMMUNE)
submitter = grant(Role.SUBMITTER, world.residential_group, user=make_user("submitter"))
appraiser = grant(Role.APPRAISER, world.haichau_pc, user=make_user("appraiser", email=""))
dossier = nomination_services.dossier_create(
    actor=submitter, originating_unit=world.residential_group, title="Khen thưởng tổ dân phố 12",
    kind=CommendationKind.ANNUAL, award_type=award, year=2026,
)
nomination_services.nominee_add(
    dossier=dossier, actor=submitter, subject_type=SubjectType.INDIVIDUAL, full_name="Nguyễn Văn A"
)
sessions = {}
for user in (submitter, appraiser):
    client = Client()
    client.force_login(user)
    sessions[user.username] = client.cookies["sessionid"].value
print(json.dumps({"sessions": sessions, "dossier": dossier.pk, "submit": node_url(NominationFlow.submit, "execute")}))
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


def post(port: int, path: str, *, session: str, data: dict) -> http.client.HTTPResponse:
    """POST a form as a browser would: session cookie, CSRF cookie and the matching form token."""
    token = secrets.token_hex(16)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=PUSH_TIMEOUT * 4)
    connection.request(
        "POST",
        path,
        body=urlencode({**data, "csrfmiddlewaretoken": token}),
        headers={
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={token}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    return connection.getresponse()


def test_push_crosses_server_processes(environment, tmp_path):
    manage(environment, "migrate", "--noinput")
    seed = json.loads(manage(environment, "shell", "--no-imports", "-c", SEED).strip().splitlines()[-1])
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
        appraiser = seed["sessions"]["appraiser"]
        with connect(
            f"ws://127.0.0.1:{ports['B']}/ws/notifications/",
            additional_headers={
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={appraiser}",
                "Origin": f"http://127.0.0.1:{ports['B']}",
            },
            open_timeout=PUSH_TIMEOUT,
        ) as browser:
            # 1. The submitter submits the dossier through A: the commune appraiser's socket on B hears of the task.
            response = post(
                ports["A"], seed["submit"], session=seed["sessions"]["submitter"], data={"dossier": seed["dossier"]}
            )
            assert response.status == 302, response.read()[:2000]
            pushed = json.loads(browser.recv(timeout=PUSH_TIMEOUT))
            assert "Khen thưởng tổ dân phố 12" in pushed["title"]
            assert pushed["unread"] == 1
            assert pushed["url"] == f"/notifications/{pushed['id']}/open/"

            # 2. The appraiser marks everything read through A: B's socket gets the new count.
            response = post(ports["A"], "/notifications/read-all/", session=appraiser, data={})
            assert response.status == 302, response.read()[:2000]
            assert json.loads(browser.recv(timeout=PUSH_TIMEOUT)) == {"unread": 0}
    finally:
        for server in servers.values():
            server.terminate()
        for server in servers.values():
            server.wait(timeout=10)
