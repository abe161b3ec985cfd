"""Latency and SQL query count of the busy pages on generated national data, and the ledger verification speed.

Usage: ``DATABASE_URL=postgres://… .venv/bin/python benchmarks/bench_pages.py [dossiers] [nominees] [runs]``
(defaults 200 dossiers, 10 nominees each, 30 samples per page; SQLite works too, PostgreSQL is what counts), or
``… bench_pages.py --in-place [runs]`` to measure the database ``DATABASE_URL`` names as it is, already filled by
``generate_national_data`` (nothing is written to it but sessions).

Without ``--in-place`` it creates a throw-away database (``test_<name>``), fills it with ``generate_national_data``
(the whole tree, the users, dossiers in every state), then starts a fresh Python process that serves the pages
through Django's test client (the whole middleware stack, no network) as the people who use them:

- the inbox and queue of the stage officer with the most open steps;
- viewflow's process list (scoped) as the Minister (head of the Ministry of Public Security);
- the dossier list of the submitter with the most dossiers, and one of their dossiers (a decided one if any);
- the ledger search of the auditor of the busiest officer's province over that province for the current year.

Each page is requested ``runs`` times (after one warm-up); it prints p50/p95 wall-clock, the SQL queries of one
request, the table rows it shows (header rows included) and the median CPU time of the serving process per
request (the Python share, which a busy machine inflates less than wall-clock). Then it verifies the whole ledger
(entries per second; three times, once with ``--in-place`` since a national ledger takes minutes) and prints the
peak resident memory of that serving process (``resource.getrusage``), which never ran the generator.
"""

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.db.models import Case, Count, When  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from viewflow.workflow.models import Task  # noqa: E402
from viewflow.workflow.status import STATUS  # noqa: E402

from audit.verify import verify_ledger  # noqa: E402
from benchmarks.national.generator import Command as Generator  # noqa: E402
from nominations.models import Dossier, DossierStatus, Nominee  # noqa: E402
from org_hierarchy.models import Branch, Level, Membership, OrgUnit, Role  # noqa: E402

SERVE = "--serve"


def seat_holder(unit_id: int, role: str):
    return Membership.objects.filter(unit_id=unit_id, role=role).order_by("pk").first().user


def busiest_seat() -> tuple[OrgUnit, str, object]:
    """Return the stage unit, role and officer with the most open steps in their queue."""
    roles = {}
    waiting = Counter()
    open_steps = Task.objects.filter(flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED])
    for flow_task, unit_id in open_steps.exclude(owner_permission_obj_pk=None).values_list(
        "flow_task", "owner_permission_obj_pk"
    ):
        if flow_task not in roles:
            roles[flow_task] = getattr(Task(flow_task=flow_task).flow_task, "role", None)
        if roles[flow_task] is not None:
            waiting[int(unit_id), roles[flow_task]] += 1
    (unit_id, role), _count = waiting.most_common(1)[0]
    return OrgUnit.objects.get(pk=unit_id), role, seat_holder(unit_id, role)


def find_people() -> dict:
    """Return who looks at which page (user and object ids) in the filled database, for the serving process.

    The people are those with the most to see: the stage officer with the most open steps (inbox and queue), the
    auditor of that officer's province (ledger search), the submitter with the most dossiers (list and a decided
    dossier's page) and the Minister (process list).
    """
    stage_unit, role, officer = busiest_seat()
    province = next(u for u in [*OrgUnit.objects.get_ancestors(stage_unit), stage_unit] if u.level == Level.PROVINCE)
    ministry = OrgUnit.objects.get(branch=Branch.SECURITY, level=Level.MINISTRY)
    submitter_id = Dossier.objects.values("created_by").annotate(count=Count("pk")).order_by("-count")[0]["created_by"]
    dossier = Dossier.objects.filter(created_by=submitter_id).order_by(
        Case(When(status=DossierStatus.DECIDED, then=0), default=1), "pk"
    )[0]
    return {
        "officer": officer.pk,
        "officer_seat": f"{Role(role).label}, {stage_unit.name}",
        "ministry_approver": seat_holder(ministry.pk, Role.APPROVER).pk,
        "province_auditor": seat_holder(province.pk, Role.AUDITOR).pk,
        "province_unit": province.pk,
        "submitter": submitter_id,
        "dossier": dossier.pk,
        "dossiers": Dossier.objects.count(),
        "nominees": Nominee.objects.count(),
    }


def generate(dossiers: int, nominees: int) -> None:
    generator = Generator(stdout=open(os.devnull, "w"))  # noqa: SIM115 (lives as long as the process)
    generator.handle(dossiers=dossiers, nominees_per_dossier=nominees, users=10_000, seed=1)


def sample(client: Client, url: str, runs: int) -> tuple[list[float], list[float], int, int]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    statements = []
    with connection.execute_wrapper(lambda execute, sql, *args: statements.append(sql) or execute(sql, *args)):
        response = client.get(url)
    timings, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    # Table rows shown (header rows included): how much the page actually lists.
    return timings, cpu, len(statements), response.content.count(b"<tr")


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(len(ordered) * 0.95) - 1)]
    return f"p50 {statistics.median(ordered) * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms"


def serve(people: dict, runs: int, verify_runs: int) -> None:
    """Run in a fresh process: request every page as its user, then verify the ledger."""
    setup_test_environment()
    print(f"busiest stage officer: {people['officer_seat']}")
    year = timezone.localdate().year
    pages = [
        ("inbox, busiest stage officer", "officer", reverse("workflows:inbox")),
        ("queue, busiest stage officer", "officer", reverse("workflows:queue")),
        ("process list, ministry head", "ministry_approver", reverse("nomination:process_list")),
        ("dossier detail, submitter", "submitter", reverse("nominations:dossier_detail", args=[people["dossier"]])),
        ("dossier list, submitter", "submitter", reverse("nominations:dossier_list")),
        (
            "ledger search, provincial auditor",
            "province_auditor",
            f"{reverse('audit:ledger')}?unit={people['province_unit']}&date_from={year}-01-01&date_to={year}-12-31",
        ),
    ]
    clients = {}
    for label, who, url in pages:
        if who not in clients:
            clients[who] = Client()
            clients[who].force_login(get_user_model().objects.get(pk=people[who]))
        timings, cpu, queries, rows = sample(clients[who], url, runs)
        print(
            f"{label:34} {percentiles(timings)}  {queries:3} queries  {rows:3} table rows"
            f"  client CPU p50 {statistics.median(cpu) * 1000:6.1f} ms"
        )
    for _ in range(verify_runs):
        started = time.perf_counter()
        result = verify_ledger()
        elapsed = time.perf_counter() - started
        assert result.ok, result.problem
        print(f"verify_audit: {result.checked} entries in {elapsed:.2f} s = {result.checked / elapsed:,.0f} entries/s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of the serving process: {peak:.0f} MiB")


def serve_elsewhere(people: dict, runs: int, verify_runs: int = 3) -> None:
    """Serve the pages from a fresh process that never held the generator's objects."""
    connections.close_all()
    env = {**os.environ, "BENCH_DATABASE_NAME": str(connection.settings_dict["NAME"])}
    subprocess.run(
        [sys.executable, __file__, SERVE, json.dumps(people), str(runs), str(verify_runs)], env=env, check=True
    )


def in_place(runs: int) -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"database: {connection.display_name} (in place); load average before the run: {load}")
    people = find_people()
    print(f"{people['dossiers']} dossiers, {people['nominees']} nominees")
    # Once over a national ledger: it takes minutes.
    serve_elsewhere(people, runs, verify_runs=1)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--in-place":
        in_place(int(sys.argv[2]) if len(sys.argv) > 2 else 30)
        return
    dossiers = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    nominees = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    old_name = connection.settings_dict["NAME"]
    workdir = None
    if connection.vendor == "sqlite":
        # A file the serving process can open (the test runner's default is a private in-memory database).
        workdir = tempfile.TemporaryDirectory()
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(Path(workdir.name) / "bench.sqlite3")
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"database: {connection.display_name}; load average before the run: {load}")
        started = time.perf_counter()
        generate(dossiers, nominees)
        people = find_people()
        print(
            f"generated {people['dossiers']} dossiers, {people['nominees']} nominees "
            f"in {time.perf_counter() - started:.0f} s"
        )
        serve_elsewhere(people, runs)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if workdir is not None:
            workdir.cleanup()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == SERVE:
        connection.settings_dict["NAME"] = os.environ["BENCH_DATABASE_NAME"]
        serve(json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        main()
