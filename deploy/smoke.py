"""The production smoke test, driven by deploy/smoke.sh (which starts the servers); not an operator's tool.

    smoke.py create-db                 drop and create the database named in DATABASE_URL
    smoke.py bucket                    create the object store's bucket named in MEDIA_STORAGE_URL
    smoke.py seed OUT.json             a small organisation, two users with passwords, three draft dossiers
    smoke.py check SEED.json NGINX_URL WORKER1_URL WORKER2_URL MAIL_DIR STATIC_ROOT
    smoke.py check-disk SEED.json NGINX_URL WORKER_URL MEDIA_ROOT

``check`` goes through nginx as a browser would: health and readiness, a static file from nginx's disk, the
login form, an upload to the object store and its download through the scoped view, a submission whose
websocket push reaches the appraiser's socket; then a submission made on worker 1 whose push reaches a socket
held by worker 2 (Redis between them), and the outbox worker's e-mails. ``check-disk`` does the upload and
download again with files on the local disk, sent by nginx through X-Accel-Redirect. Any failed step exits
non-zero.
"""

import http.client
import json
import os
import re
import secrets
import sys
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django_otp.oath import totp

TIMEOUT = 20
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PASSWORD = "smoke-Passw0rd-2026"


def step(message: str) -> None:
    print(f"smoke: {message}", flush=True)


def fail(message: str) -> None:
    print(f"smoke: FAILED: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def create_db() -> None:
    import psycopg2

    parts = urlsplit(os.environ["DATABASE_URL"])
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(parts._replace(path="/postgres").geturl())
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def bucket() -> None:
    import boto3

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from config.storage import media_storage

    options = media_storage(os.environ["MEDIA_STORAGE_URL"])["OPTIONS"]
    client = boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
        region_name=options["region_name"],
    )
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            client.create_bucket(Bucket=options["bucket_name"])
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def seed(out: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from nominations import services
    from nominations.models import CommendationKind, DocumentKind, SubjectType
    from org_hierarchy.models import Branch, Level, Role
    from tests.base import grant, make_user
    from tests.workflows.base import award_type
    from tests.world import build_world
    from workflows.flows import NominationFlow
    from workflows.selectors import node_url

    world = build_world()
    award = award_type("smoke_commune_certificate", branch=Branch.CIVIL, level=Level.COMMUNE)
    submitter = grant(Role.SUBMITTER, world.residential_group, user=make_user("smoke.submitter"))
    appraiser = grant(Role.APPRAISER, world.haichau_pc, user=make_user("smoke.appraiser", email="appraiser@example.vn"))
    for user in (submitter, appraiser):
        user.set_password(PASSWORD)
        user.save()
    # Appraisers pass a second factor in production: the smoke test's appraiser has an authenticator app.
    authenticator = TOTPDevice.objects.create(user=appraiser, name="default", confirmed=True)
    dossiers = []
    titles = (
        "Khen thưởng tổ dân phố 12 (qua nginx)",
        "Khen thưởng tổ dân phố 12 (qua worker 1)",
        "Khen thưởng tổ dân phố 12 (tệp trên đĩa)",
    )
    for title in titles:
        dossier = services.dossier_create(
            actor=submitter,
            originating_unit=world.residential_group,
            title=title,
            kind=CommendationKind.ANNUAL,
            award_type=award,
            year=2026,
        )
        services.nominee_add(
            dossier=dossier, actor=submitter, subject_type=SubjectType.INDIVIDUAL, full_name="Nguyễn Văn A"
        )
        dossiers.append(
            {
                "pk": dossier.pk,
                "title": title,
                "upload": reverse("nominations:attachment_create", args=[dossier.pk]),
                "page": reverse("nominations:dossier_detail", args=[dossier.pk]),
            }
        )
    Path(out).write_text(
        json.dumps(
            {
                "submitter": submitter.username,
                "appraiser": appraiser.username,
                "appraiser_key": authenticator.key,
                "dossiers": dossiers,
                "submit": node_url(NominationFlow.submit, "execute"),
                "kind": DocumentKind.objects.order_by("pk").values_list("pk", flat=True).first(),
            }
        )
    )


class Browser:
    """A client with its own cookies, speaking to one address as if it were https://127.0.0.1."""

    def __init__(self, base: str, *, forwarded: bool = False):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}
        # Straight to a worker, the proxy's header must be added by hand.
        self.extra = {"X-Forwarded-Proto": "https"} if forwarded else {}

    def request(self, method: str, path: str, *, body: bytes = b"", headers: dict | None = None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        all_headers = {"Host": "127.0.0.1", "Origin": "https://127.0.0.1", **self.extra, **(headers or {})}
        if cookie:
            all_headers["Cookie"] = cookie
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        connection.close()
        return response, content

    def csrf(self) -> str:
        token = self.cookies.setdefault("csrftoken", secrets.token_hex(16))
        return token

    def post_form(self, path: str, data: dict):
        body = urlencode({**data, "csrfmiddlewaretoken": self.csrf()}).encode()
        return self.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})

    def post_file(self, path: str, data: dict, *, field: str, filename: str, content: bytes, content_type: str):
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in {**data, "csrfmiddlewaretoken": self.csrf()}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST", path, body=b"".join(parts), headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )

    def log_in(self, username: str, *, authenticator_key: str = "") -> None:
        """Sign in with the login form, then with a code of the authenticator app when ``authenticator_key``."""
        response, _content = self.request("GET", "/accounts/login/")
        if response.status != 200:
            fail(f"login page answered {response.status}")
        response, content = self.post_form("/accounts/login/", {"username": username, "password": PASSWORD})
        if response.status != 302 or "sessionid" not in self.cookies:
            fail(f"logging in {username} answered {response.status}: {content[:500]!r}")
        if authenticator_key:
            code = f"{totp(bytes.fromhex(authenticator_key)):06d}"
            response, content = self.post_form("/accounts/two-factor/", {"token": code})
            if response.status != 302:
                fail(f"{username}'s authenticator code answered {response.status}: {content[:500]!r}")

    def socket(self, base: str):
        from websockets.sync.client import connect

        parts = urlsplit(base)
        return connect(
            f"ws://{parts.hostname}:{parts.port}/ws/notifications/",
            additional_headers={
                "Cookie": f"sessionid={self.cookies['sessionid']}",
                "Origin": "https://127.0.0.1",
                **self.extra,
            },
            open_timeout=TIMEOUT,
        )


def expect_push(socket, title: str, where: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        message = json.loads(socket.recv(timeout=TIMEOUT))
        if title in message.get("title", ""):
            return
    fail(f"no push about {title!r} on the socket {where}")


def upload_and_download(submitter: Browser, dossier: dict, kind: int):
    """Upload the test PDF to ``dossier`` and download it through the link of its page: (link, response, page)."""
    response, content = submitter.post_file(
        dossier["upload"],
        {"kind": kind},
        field="file",
        filename="bao-cao.pdf",
        content=PDF,
        content_type="application/pdf",
    )
    if response.status != 302:
        fail(f"upload answered {response.status}: {content[:800]!r}")
    response, page = submitter.request("GET", dossier["page"])
    match = re.search(rf'href="(/dossiers/{dossier["pk"]}/files/\d+/)"'.encode(), page)
    if response.status != 200 or not match:
        fail("the dossier page does not link to the uploaded file")
    download = match.group(1).decode()
    response, content = submitter.request("GET", download)
    if response.status != 200 or content != PDF:
        fail(f"download answered {response.status} with {len(content)} bytes")
    return download, response, page


def check(seed_file: str, nginx: str, worker1: str, worker2: str, mail_dir: str, static_root: str) -> None:
    seed_data = json.loads(Path(seed_file).read_text())
    anonymous = Browser(nginx)

    response, content = anonymous.request("GET", "/healthz")
    if response.status != 200 or json.loads(content) != {"status": "ok"}:
        fail(f"/healthz answered {response.status} {content!r}")
    if not re.fullmatch(r"[0-9a-f]{32}", response.headers.get("X-Request-ID", "")):
        fail("nginx did not pass its request id to the worker")
    step("/healthz through nginx: ok, with nginx's request id")
    response, content = anonymous.request("GET", "/readyz")
    checks = json.loads(content).get("checks", {})
    if response.status != 200 or checks != {"default": "ok", "redis": "ok", "storage": "ok"}:
        fail(f"/readyz answered {response.status} {content!r}")
    step(f"/readyz through nginx: {checks}")

    static_file = next(Path(static_root).rglob("*.css"))
    path = "/static/" + static_file.relative_to(static_root).as_posix()
    response, content = anonymous.request("GET", path)
    if response.status != 200 or content != static_file.read_bytes() or "X-Request-ID" in response.headers:
        fail(f"{path} was not served by nginx from STATIC_ROOT ({response.status})")
    step(f"{path} served by nginx from the disk")

    # A client's own X-Forwarded-Proto is replaced by nginx's: else production mode would redirect to HTTPS.
    response, _ = anonymous.request("GET", "/accounts/login/", headers={"X-Forwarded-Proto": "http"})
    if response.status != 200:
        fail(f"a client's own X-Forwarded-Proto was not replaced by nginx ({response.status})")

    submitter = Browser(nginx)
    submitter.log_in(seed_data["submitter"])
    appraiser = Browser(nginx)
    appraiser.log_in(seed_data["appraiser"], authenticator_key=seed_data["appraiser_key"])
    step("logged in through nginx (the login form, secure cookies; the appraiser's authenticator code)")

    first, second, _on_disk = seed_data["dossiers"]
    download, response, page = upload_and_download(submitter, first, seed_data["kind"])
    store = urlsplit(os.environ["MEDIA_STORAGE_URL"])
    store_address = f"{store.hostname}:{store.port}"
    leaked = [value for value in response.headers.values() if store_address in value or "X-Amz" in value]
    if leaked or store_address.encode() in page or b"X-Amz" in page:
        fail(f"the object store's address reached the reader: {leaked}")
    response, _ = appraiser.request("GET", download)
    if response.status != 404:
        fail(f"the draft's file was visible to the commune's appraiser ({response.status})")
    step("upload stored in the object store, downloaded through the scoped view, 404 for someone outside")

    with appraiser.socket(nginx) as through_nginx, appraiser.socket(worker2) as on_worker2:
        response, content = submitter.post_form(seed_data["submit"], {"dossier": first["pk"]})
        if response.status != 302:
            fail(f"submitting through nginx answered {response.status}: {content[:800]!r}")
        expect_push(through_nginx, first["title"], "opened through nginx")
        expect_push(on_worker2, first["title"], "of worker 2")
        step("submitted through nginx: the appraiser's websocket (through nginx) got the push")

        direct = Browser(worker1, forwarded=True)
        direct.cookies = dict(submitter.cookies)
        response, content = direct.post_form(seed_data["submit"], {"dossier": second["pk"]})
        if response.status != 302:
            fail(f"submitting on worker 1 answered {response.status}: {content[:800]!r}")
        expect_push(on_worker2, second["title"], "of worker 2")
        expect_push(through_nginx, second["title"], "opened through nginx")
        step("submitted on worker 1: the socket held by worker 2 got the push (Redis between the workers)")

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(list(Path(mail_dir).glob("*"))) < 2:
        time.sleep(0.5)
    mails = sorted(Path(mail_dir).glob("*"))
    text = b"".join(path.read_bytes() for path in mails)
    if len(mails) < 2 or b"appraiser@example.vn" not in text:
        fail(f"the outbox worker delivered {len(mails)} e-mail file(s), expected the appraiser's 2")
    step(f"the outbox worker delivered the appraiser's e-mails ({len(mails)} messages)")

    response, _ = anonymous.request("GET", "/readyz")
    if response.status != 200:
        fail(f"/readyz answered {response.status} at the end")


def check_disk(seed_file: str, nginx: str, worker: str, media_root: str) -> None:
    """Files on the local disk behind nginx: the worker checks the scope and answers with X-Accel-Redirect only,
    nginx sends the bytes from MEDIA_ROOT, and MEDIA_ROOT cannot be reached any other way."""
    seed_data = json.loads(Path(seed_file).read_text())
    dossier = seed_data["dossiers"][2]
    submitter = Browser(nginx)
    submitter.log_in(seed_data["submitter"])
    download, response, _page = upload_and_download(submitter, dossier, seed_data["kind"])
    stored = [path for path in Path(media_root).rglob("*") if path.is_file() and path.read_bytes() == PDF]
    if len(stored) != 1:
        fail(f"the upload is not the one file on the local disk ({len(stored)} found under MEDIA_ROOT)")
    if "X-Accel-Redirect" in response.headers:
        fail("nginx passed the worker's X-Accel-Redirect header to the reader")
    direct = Browser(worker, forwarded=True)
    direct.cookies = dict(submitter.cookies)
    response, content = direct.request("GET", download)
    internal = "/protected-media/" + stored[0].relative_to(media_root).as_posix()
    if response.status != 200 or response.headers.get("X-Accel-Redirect") != internal or content:
        fail(f"the worker answered {response.status} {response.headers.get('X-Accel-Redirect')!r}, {len(content)} B")
    response, _ = submitter.request("GET", internal)
    if response.status != 404:
        fail(f"{internal} was reachable from outside ({response.status})")
    anonymous = Browser(nginx)
    response, _ = anonymous.request("GET", download)
    if response.status == 200:
        fail("the file was downloaded without signing in")
    step("a file on the local disk: scope checked by the worker, sent by nginx (X-Accel-Redirect), hidden otherwise")
    step("passed")


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    commands = {"create-db": create_db, "bucket": bucket, "seed": seed, "check": check, "check-disk": check_disk}
    commands[command](*arguments)
