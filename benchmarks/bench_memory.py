"""Peak resident memory of one ASGI worker (daphne) serving the busy pages, a 1,000-nominee dossier and exports.

Usage: ``DATABASE_URL=postgres://… .venv/bin/python benchmarks/bench_memory.py [dossiers] [rounds] [nominees]``
(defaults 100 dossiers of 10 nominees, 30 rounds, 1,000 nominees in the big dossiers), or
``… bench_memory.py --in-place [rounds]`` against the database ``DATABASE_URL`` names, already filled by
``generate_national_data`` (it then sets the benchmark password on the few users it logs in as, and the big
dossier is the one with the most nominees).

Without ``--in-place`` it creates a throw-away database (``test_<name>``), fills it with
``generate_national_data`` (the tree, 10,000 users, dossiers in every state) and adds two dossiers of
``nominees`` nominees through the XLSX import: one decided by the Minister, one waiting for the Minister's
signature. It then starts one daphne worker on ``config.asgi:application`` on a free loopback port, in production
mode (``DEBUG`` off, as ``docs/deployment.md`` sets it up behind a TLS proxy, whose ``X-Forwarded-Proto`` header
the client sends), and six people log in through the login page and, each in its own thread, request their pages
``rounds`` times:

- the busiest stage officer: inbox and queue; the Minister: viewflow's process list and, every tenth round, the
  sign page of the big open dossier; a submitter: their dossier list and a decided dossier;
- the provincial auditor of the busiest officer: the ledger search over the province for the year and its CSV
  export; the big dossiers' submitter: the decided big dossier's page and its journey;
- the Ministry's auditor, every fifth round: the CSV export of the whole year's ledger in their scope (the
  decision entry lists every awarded nominee; about a million entries at the default size) and the XLSX export of
  the busiest officer's province for the year (an Excel sheet could not hold the whole scope).

Bodies are read in 64 KiB pieces and dropped. The worker's memory is read from outside, from
``/proc/<pid>/status``: VmRSS after start-up and after the logins, VmRSS sampled every 50 ms while serving, and
VmHWM (the kernel's high-water mark) at the end.
"""

import http.client
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import django

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

import bench_big  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.db.models import Case, Count, When  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from viewflow.workflow.models import Task  # noqa: E402
from viewflow.workflow.status import STATUS  # noqa: E402

from benchmarks.national.generator import Command as Generator  # noqa: E402
from nominations.models import AwardType, Dossier, DossierStatus  # noqa: E402
from org_hierarchy.models import Branch, Level, Membership, OrgUnit, Role  # noqa: E402
from workflows.models import StageOutcome  # noqa: E402
from workflows.selectors import node_url  # noqa: E402

PASSWORD = "bench-" + secrets.token_hex(8)
CHUNK = 64 * 1024
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def fill(dossiers: int, nominees: int) -> None:
    generator = Generator(stdout=open(os.devnull, "w"))  # noqa: SIM115 (lives as long as the process)
    generator.handle(dossiers=dossiers, nominees_per_dossier=10, users=10_000, seed=1)
    award = AwardType.objects.get(code="bk_bo_truong_cong_an")
    generator.nominees_per_dossier = 0  # the big dossiers' nominees all come from their workbook
    with bench_big.lifecycle.no_mail():
        decided, submitter = bench_big.filled_draft(generator, award, dossiers + 1, nominees)
        process, route = bench_big.to_ministry_vote(generator, decided, submitter, nominees, show=False)
        bench_big.lifecycle.vote(process, actor=generator.officer(route[-1], Role.SECRETARY))
        minister = generator.officer(route[-1], Role.APPROVER)
        bench_big.lifecycle.sign(process, actor=minister, outcome=StageOutcome.DECIDE)
        waiting, submitter = bench_big.filled_draft(generator, award, dossiers + 2, nominees)
        process, route = bench_big.to_ministry_vote(generator, waiting, submitter, nominees, show=False)
        bench_big.lifecycle.vote(process, actor=generator.officer(route[-1], Role.SECRETARY))


def seat_holder(unit_id: int, role: str):
    return Membership.objects.filter(unit_id=unit_id, role=role).order_by("pk").first().user


def open_steps():
    return Task.objects.filter(flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED]).exclude(
        owner_permission_obj_pk=None
    )


def find_people() -> tuple[dict, list]:
    """Return the people (user ids) and, per person, the pages they read with how often (every n-th round)."""
    waiting = defaultdict(int)
    for task in open_steps().only("flow_task", "owner_permission_obj_pk"):
        role = getattr(task.flow_task, "role", None)
        if role is not None:
            waiting[int(task.owner_permission_obj_pk), role] += 1
    # The busiest office below the national level, so that it has a province whose auditor searches the ledger.
    local = set(
        OrgUnit.objects.filter(pk__in={unit for unit, _role in waiting}, level__lte=Level.PROVINCE).values_list(
            "pk", flat=True
        )
    )
    (unit_id, role), _count = max(
        ((seat, n) for seat, n in waiting.items() if seat[0] in local), key=lambda item: item[1]
    )
    stage_unit = OrgUnit.objects.get(pk=unit_id)
    province = next(u for u in [*OrgUnit.objects.get_ancestors(stage_unit), stage_unit] if u.level == Level.PROVINCE)
    ministry = OrgUnit.objects.get(branch=Branch.SECURITY, level=Level.MINISTRY)
    by_size = Dossier.objects.annotate(size=Count("nominees")).order_by("-size", "pk")
    big = by_size.filter(status=DossierStatus.DECIDED)[0]
    big_open = open_steps().filter(process__artifact_object_id__in=by_size.values("pk")[:5]).first()
    submitter_id = (
        Dossier.objects.exclude(pk=big.pk).values("created_by").annotate(n=Count("pk")).order_by("-n")[0]["created_by"]
    )
    dossier = Dossier.objects.filter(created_by=submitter_id).order_by(
        Case(When(status=DossierStatus.DECIDED, then=0), default=1), "pk"
    )[0]
    big_process = Task.objects.filter(process__artifact_object_id=big.pk).values_list("process_id", flat=True)[0]
    year = timezone.localdate().year
    period = {"date_from": f"{year}-01-01", "date_to": f"{year}-12-31"}
    province_search, year_only = urlencode({"unit": province.pk, **period}), urlencode(period)
    minister = seat_holder(ministry.pk, Role.APPROVER)
    minister_pages = [("process list", reverse("nomination:process_list"), 1)]
    if big_open is not None and seat_holder(int(big_open.owner_permission_obj_pk), Role.APPROVER) == minister:
        url = node_url(big_open.flow_task, "execute", big_open.process_id, big_open.pk)
        minister_pages.append((f"open big dossier: {big_open.flow_task.name} page", url, 10))
    plan = [
        (
            seat_holder(unit_id, role),
            [("inbox", reverse("workflows:inbox"), 1), ("queue", reverse("workflows:queue"), 1)],
        ),
        (minister, minister_pages),
        (
            get_user_model().objects.get(pk=submitter_id),
            [
                ("dossier list", reverse("nominations:dossier_list"), 1),
                ("dossier page", reverse("nominations:dossier_detail", args=[dossier.pk]), 1),
            ],
        ),
        (
            seat_holder(province.pk, Role.AUDITOR),
            [
                ("ledger search, province, year", f"{reverse('audit:ledger')}?{province_search}", 1),
                ("ledger CSV, province, year", f"{reverse('audit:export', args=['csv'])}?{province_search}", 1),
            ],
        ),
        (
            big.created_by,
            [
                (f"decided big dossier ({big.size} nominees)", reverse("nominations:dossier_detail", args=[big.pk]), 1),
                ("its journey page", reverse("workflows:process", args=[big_process]), 1),
            ],
        ),
        (
            seat_holder(ministry.pk, Role.AUDITOR),
            [
                ("ledger CSV, Ministry scope, year", f"{reverse('audit:export', args=['csv'])}?{year_only}", 5),
                ("ledger XLSX, province, year", f"{reverse('audit:export', args=['xlsx'])}?{province_search}", 5),
            ],
        ),
    ]
    for user, _pages in plan:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return plan


class Browser:
    """One person's cookies and requests, as a browser behind the TLS proxy would send them."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        origin = f"https://127.0.0.1:{self.port}"
        sent = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https", "Accept-Language": "vi"}
        sent |= {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        if method == "POST":
            sent |= {"Origin": origin, "Referer": origin + path}
        conn.request(method, path, body=body, headers={**sent, **(headers or {})})
        response = conn.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        size, first = 0, b""
        while piece := response.read(CHUNK):
            size += len(piece)
            first = first or piece
        streamed = response.getheader("Transfer-Encoding") == "chunked"
        conn.close()
        return response.status, size, streamed, first

    def login(self, username: str) -> None:
        path = reverse("login")
        _status, _size, _streamed, page = self.request("GET", path)
        token = CSRF_INPUT.search(page).group(1).decode()
        body = urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}).encode()
        status, *_rest = self.request("POST", path, body, headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, f"login of {username}: {status}"


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of the process, in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_worker(port: int) -> subprocess.Popen:
    settings = connection.settings_dict
    login = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    url = f"postgres://{login}@{settings['HOST']}:{settings['PORT']}"
    env = {
        **os.environ,
        "DATABASE_URL": f"{url}/{settings['NAME']}",
        "MERITFLOW_MODE": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_DEBUG", None)
    daphne = Path(sys.executable).with_name("daphne")
    command = [str(daphne), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]
    worker = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL)
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return worker
        except OSError:
            time.sleep(0.1)
    worker.kill()
    raise RuntimeError("daphne did not start")


def serve(plan: list, rounds: int) -> None:
    port = free_port()
    worker = start_worker(port)
    try:
        time.sleep(1)
        print(f"worker started (pid {worker.pid}): VmRSS {memory(worker.pid)['VmRSS'] / 1024:.0f} MiB")
        browsers = []
        for user, pages in plan:
            browser = Browser(port)
            browser.login(user.get_username())
            browsers.append((browser, pages))
        print(f"after {len(plan)} logins: VmRSS {memory(worker.pid)['VmRSS'] / 1024:.0f} MiB")
        timings, sizes, streamed, samples = defaultdict(list), {}, {}, []
        running = threading.Event()
        running.set()

        def sample():
            while running.is_set():
                samples.append(memory(worker.pid)["VmRSS"])
                time.sleep(0.05)

        def read(browser, pages):
            for round_number in range(rounds):
                for label, url, every in pages:
                    if round_number % every:
                        continue
                    started = time.perf_counter()
                    status, size, chunked, _first = browser.request("GET", url)
                    assert status == 200, (label, url, status)
                    timings[label].append(time.perf_counter() - started)
                    sizes[label], streamed[label] = size, chunked

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.perf_counter()
        readers = [threading.Thread(target=read, args=pair) for pair in browsers]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join()
        elapsed = time.perf_counter() - started
        running.clear()
        sampler.join()
        final = memory(worker.pid)
        requests = sum(len(values) for values in timings.values())
        print(f"{requests} requests by {len(plan)} people in {elapsed:.0f} s")
        for label, values in timings.items():
            kind = "streamed" if streamed[label] else "whole"
            print(
                f"  {label:42} {len(values):3d} x  median {statistics.median(values):6.2f} s  "
                f"{sizes[label] / 1024:7.0f} KiB {kind}"
            )
        print(
            f"worker memory: VmRSS sampled max {max(samples) / 1024:.0f} MiB, at the end {final['VmRSS'] / 1024:.0f} "
            f"MiB; VmHWM (peak) {final['VmHWM'] / 1024:.0f} MiB"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("bench_memory needs PostgreSQL: set DATABASE_URL=postgres://…")
    args = sys.argv[1:]
    in_place = bool(args) and args[0] == "--in-place"
    if in_place:
        args = args[1:]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    if in_place:
        rounds = int(args[0]) if args else 30
        print(f"database: {connection.settings_dict['NAME']} (in place); load average before the run: {load}")
        serve(find_people(), rounds)
        return
    dossiers = int(args[0]) if args else 100
    rounds = int(args[1]) if len(args) > 1 else 30
    nominees = int(args[2]) if len(args) > 2 else 1000
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"database: PostgreSQL, throw-away; load average before the run: {load}")
        started = time.perf_counter()
        fill(dossiers, nominees)
        plan = find_people()
        print(
            f"generated {Dossier.objects.count()} dossiers with "
            f"{Dossier.objects.aggregate(n=Count('nominees'))['n']} nominees in {time.perf_counter() - started:.0f} s"
        )
        connections.close_all()
        serve(plan, rounds)
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
