"""Time ``import_divisions`` on an empty database and the scope query on the full national tree.

Usage: ``.venv/bin/python benchmarks/bench_org.py [runs]`` (SQLite), or with ``DATABASE_URL=postgres://…`` for
PostgreSQL. Creates a throw-away database (a temporary file for SQLite, ``test_<name>`` for PostgreSQL, as the
test runner does), never the development database, and drops it afterwards.

Prints the time of the first import (6,712 units with their history), of a rerun (nothing to change), and for
a ward member, a provincial auditor and a ministry member: p50/p95 wall-clock over ``runs`` fresh requests of
the scope (memberships read + units counted, as a list page uses it in a subquery; and memberships read + unit ids
fetched), the median CPU time of this process (all of it on SQLite, the client's share on PostgreSQL), and the
number of SQL statements each costs.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from org_hierarchy.divisions import official_list  # noqa: E402
from org_hierarchy.models import Branch, Level, OrgUnit, Role  # noqa: E402
from org_hierarchy.selectors import units_in_scope  # noqa: E402
from org_hierarchy.services import divisions_import, membership_grant  # noqa: E402


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(len(ordered) * 0.95) - 1)]
    return f"p50 {statistics.median(ordered) * 1000:6.2f} ms  p95 {p95 * 1000:6.2f} ms"


def members() -> list[tuple[str, object]]:
    User = get_user_model()
    seats = [
        ("ward (Phường Hải Châu)", Role.APPRAISER, Branch.CIVIL, Level.COMMUNE, "20242"),
        ("province (Đà Nẵng)", Role.AUDITOR, Branch.CIVIL, Level.PROVINCE, "48"),
        ("ministry (Bộ Công an)", Role.APPROVER, Branch.SECURITY, Level.MINISTRY, ""),
    ]
    result = []
    for label, role, branch, level, code in seats:
        user = User.objects.create_user(username=f"bench-{level}", password=None)
        unit = OrgUnit.objects.get(branch=branch, level=level, admin_code=code)
        membership_grant(user=user, unit=unit, role=role)
        result.append((label, user))
    return result


def count_units(units) -> int:
    return units.count()


def fetch_ids(units) -> int:
    return len(list(units.values_list("pk", flat=True)))


def scope_samples(user, runs: int, evaluate) -> tuple[list[float], list[float], int, int]:
    User = get_user_model()
    samples, cpu_samples, queries, rows = [], [], 0, 0
    for _ in range(runs):
        fresh = User.objects.get(pk=user.pk)  # as each request loads its user: no cached memberships
        with CaptureQueriesContext(connection) as captured:
            started_cpu = time.process_time()
            elapsed, rows = timed(lambda fresh=fresh: evaluate(units_in_scope(user=fresh)))
            cpu_samples.append(time.process_time() - started_cpu)
        samples.append(elapsed)
        queries = len(captured.captured_queries)
    return samples, cpu_samples, queries, rows


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    old_name = connection.settings_dict["NAME"]
    workdir = None
    if connection.vendor == "sqlite":
        # A file, as in development; the test runner's default in-memory database would flatter SQLite.
        workdir = tempfile.TemporaryDirectory()
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(Path(workdir.name) / "bench.sqlite3")
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with connection.cursor():
            version = ".".join(map(str, connection.get_database_version()))
            load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            print(f"database: {connection.display_name} {version}; load average before the run: {load}")
        divisions = official_list()
        with CaptureQueriesContext(connection) as captured:
            elapsed, reports = timed(lambda: divisions_import(divisions=divisions))
        created = sum(report.created for report in reports)
        print(
            f"import_divisions, empty database: {created} units in {elapsed:.2f} s, "
            f"{len(captured.captured_queries)} SQL statements"
        )
        with CaptureQueriesContext(connection) as captured:
            elapsed, reports = timed(lambda: divisions_import(divisions=divisions))
        unchanged = sum(report.unchanged for report in reports)
        print(
            f"import_divisions, rerun:          {unchanged} unchanged in {elapsed:.2f} s, "
            f"{len(captured.captured_queries)} SQL statements"
        )
        people = members()
        ward_member = get_user_model().objects.get(pk=people[0][1].pk)
        plan = units_in_scope(user=ward_member).values("pk").explain().splitlines()
        scans = [line.strip(" ->") for line in plan if "Scan" in line or "SCAN" in line or "SEARCH" in line]
        print("plan of the ward scope:", " / ".join(scans))
        for label, user in people:
            for name, evaluate in (("count", count_units), ("ids", fetch_ids)):
                samples, cpu_samples, queries, rows = scope_samples(user, runs, evaluate)
                cpu = statistics.median(cpu_samples) * 1000
                print(
                    f"scope {name:5} {label:24} {rows:5} units  {percentiles(samples)}  "
                    f"client CPU p50 {cpu:5.2f} ms  {queries} SQL"
                )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if workdir is not None:
            workdir.cleanup()


if __name__ == "__main__":
    main()
