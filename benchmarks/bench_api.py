"""The REST API's latency on generated national data, and the lifecycle's rate through it against the services.

Usage::

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/bench_api.py reads [runs]
    DATABASE_URL=postgres://… .venv/bin/python benchmarks/bench_api.py [lifecycle [dossiers] [nominees]]

``reads`` measures the database ``DATABASE_URL`` names as it is, filled by ``generate_national_data`` (the
default size: 100,000 dossiers, 1,000,000 nominees). It picks the people as ``bench_pages`` does (the stage
officer with the most open steps; the submitter with the most dossiers and one of their dossiers, a decided one
if any) and gives each seat a service account with a read token issued through ``api.services``, as an
integrating system would hold (created once and kept; the tokens are revoked at the end). Each address is then
requested ``runs`` times (default 30, after one warm-up) through Django's test client (the whole middleware
stack, no network) with the token: the inbox and the queue of the officer's seat and the dossier's read, and for
comparison the same seat's inbox page and the dossier's page as the people themselves; then, with a third of
the runs, the statistics of the busiest year as an auditor of that officer's province through the API and on the
page, and the province's yearly report on the campaign with the most dossiers that year (if a campaign has
any, as after ``bench_reports``). It prints p50/p95 wall-clock, the SQL queries of one request, how many rows
the answer holds and the median CPU time per request.

``lifecycle`` (the default; 12 dossiers per path, 5 nominees each) creates a throw-away database
(``test_<name>``), imports the national tree and a few hundred officers with the generator's own steps (as
``bench_lifecycle`` does), opens complete drafts of the Minister of Public Security's Bằng khen (ward police,
provincial police, the Ministry) and takes half of them through the ten transitions with the service layer
(``benchmarks.national.lifecycle``, as the task views run them) and the other half through the API alone, as
service accounts of the route's units: submit, and at each stage the step found in the account's inbox, then
appraised, voted (the minutes in multipart) and signed. One process each, one after the other; it prints
dossiers per second, statements and requests per dossier. PostgreSQL only.
"""

import datetime
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# As bench_lifecycle: tasks are queued in the database, for a worker this script does not run.
os.environ["TASKS_BACKEND"] = "database"
# The per-token allowance is not what is measured: a run makes more requests per token than a minute allows.
os.environ["API_RATE_PER_TOKEN"] = "1000000/minute"
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from api import services as api_services  # noqa: E402
from api.models import ApiToken, Scope, ServiceAccount  # noqa: E402
from benchmarks.bench_pages import busiest_seat, find_people, percentiles  # noqa: E402
from benchmarks.national import lifecycle  # noqa: E402
from benchmarks.national.generator import Command as Generator  # noqa: E402
from nominations.models import AwardType, Dossier  # noqa: E402
from nominations.routing import compute_route  # noqa: E402
from org_hierarchy.models import OrgUnit, Role  # noqa: E402
from workflows.models import StageOutcome  # noqa: E402

AWARD = "bk_bo_truong_cong_an"
ADMIN = "bench-api-admin"
STAGE_STEPS = ((Role.APPRAISER, "appraise"), (Role.SECRETARY, "vote"), (Role.APPROVER, "sign"))


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def bench_admin():
    """The administrator who creates the benchmark's service accounts (a superuser, who cannot sign in)."""
    user, created = get_user_model().objects.get_or_create(
        username=ADMIN, defaults={"full_name": "Benchmark administrator", "is_superuser": True, "is_staff": True}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


def account_token(admin, unit, role, *, scopes=(Scope.READ,)) -> str:
    """A token of the service account holding ``role`` at ``unit`` (created on first use, kept for the next run)."""
    name = f"bench-api {unit.pk} {role}"
    account = ServiceAccount.objects.filter(name=name, unit=unit, role=role).first()
    if account is None:
        account = api_services.service_account_create(actor=admin, name=name, unit=unit, role=role)
    _token, text = api_services.api_token_issue(
        actor=admin,
        account=account,
        name="bench_api",
        scopes=list(scopes),
        expires_on=timezone.localdate() + datetime.timedelta(days=1),
    )
    return text


def revoke_tokens(admin) -> None:
    for token in ApiToken.objects.filter(name="bench_api", created_by=admin, revoked_at=None):
        api_services.api_token_revoke(actor=admin, token=token)


def sample(client: Client, url: str, runs: int, headers: dict) -> tuple[list[float], list[float], int, int]:
    """Time ``runs`` requests of ``url`` after a warm-up; return the timings, CPU times, queries and rows."""
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    statements = []
    with connection.execute_wrapper(lambda execute, sql, *args: statements.append(sql) or execute(sql, *args)):
        response = client.get(url, headers=headers)
    timings, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(url, headers=headers)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    rows = listed(response.json()) if response["Content-Type"] == "application/json" else response.content.count(b"<tr")
    return timings, cpu, len(statements), rows


def listed(body: dict) -> int:
    """How many rows an answer lists: a page's results, a dossier's nominees, the statistics' table rows."""
    if "count" in body:
        return len(body["results"])
    if "nominees" in body:
        return len(body["nominees"])
    tables = body["figures"]["statistics"] if "figures" in body else body
    return sum(len(rows) for name, rows in tables.items() if name.startswith("by_"))


def reads(runs: int) -> None:
    setup_test_environment()
    print(f"database: {connection.display_name} (in place); load average before the run: {load()}")
    people = find_people()
    unit, role, officer = busiest_seat()
    dossier = Dossier.objects.select_related("originating_unit").get(pk=people["dossier"])
    print(f"{people['dossiers']} dossiers, {people['nominees']} nominees; busiest seat: {people['officer_seat']}")
    admin = bench_admin()
    officer_token = account_token(admin, unit, role)
    submitter_token = account_token(admin, dossier.originating_unit, Role.SUBMITTER)
    province = OrgUnit.objects.get(pk=people["province_unit"])
    auditor_token = account_token(admin, province, Role.AUDITOR)
    year = Dossier.objects.values("year").annotate(n=Count("pk")).order_by("-n")[0]["year"]
    campaign = (
        Dossier.objects.filter(year=year, campaign__isnull=False)
        .values("campaign")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    officer_client, submitter_client, auditor_client, api = Client(), Client(), Client(), Client()
    officer_client.force_login(officer)
    submitter_client.force_login(get_user_model().objects.get(pk=people["submitter"]))
    auditor_client.force_login(get_user_model().objects.get(pk=people["province_auditor"]))
    checks = [
        ("API inbox, busiest seat's account", api, "/api/v1/tasks/", officer_token),
        ("API queue, busiest seat's account", api, "/api/v1/tasks/queue/", officer_token),
        ("API dossier read, submitter's account", api, f"/api/v1/dossiers/{dossier.pk}/", submitter_token),
        ("page inbox, busiest officer", officer_client, reverse("workflows:inbox"), None),
        (
            "page dossier, submitter",
            submitter_client,
            reverse("nominations:dossier_detail", args=[dossier.pk]),
            None,
        ),
    ]
    # The reports read a province's whole year: fewer runs.
    reports = [
        ("API statistics, provincial auditor", api, f"/api/v1/statistics/?year={year}", auditor_token),
        ("page statistics, provincial auditor", auditor_client, f"{reverse('reports:statistics')}?year={year}", None),
    ]
    if campaign is not None:
        url = f"/api/v1/yearly-reports/{campaign['campaign']}/{year}/{province.pk}/"
        reports.append(("API yearly report, provincial auditor", api, url, auditor_token))
    report_runs = max(runs // 3, 5)
    print(f"statistics and yearly report: {province.name}, {year}, {report_runs} runs")
    try:
        for (label, client, url, token), count in [*((c, runs) for c in checks), *((r, report_runs) for r in reports)]:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            timings, cpu, queries, rows = sample(client, url, count, headers)
            print(
                f"{label:38} {percentiles(timings)}  {queries:3} queries  {rows:3} rows"
                f"  CPU p50 {statistics.median(cpu) * 1000:6.1f} ms"
            )
    finally:
        revoke_tokens(admin)
    print(f"load average after the run: {load()}")


# The lifecycle ---------------------------------------------------------------------------------------------------


class StatementCounter:
    """Count the statements of this process's connection."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def through_services(drafts, officers) -> None:
    for dossier, submitter in drafts:
        process = lifecycle.submit(dossier, actor=submitter)
        route = [unit_id for _level, unit_id in process.route]
        for position, unit_id in enumerate(route):
            lifecycle.appraise(process, actor=officers[unit_id, Role.APPRAISER])
            lifecycle.vote(process, actor=officers[unit_id, Role.SECRETARY])
            outcome = StageOutcome.DECIDE if position == len(route) - 1 else StageOutcome.FORWARD
            lifecycle.sign(process, actor=officers[unit_id, Role.APPROVER], outcome=outcome)


class ApiDriver:
    """Take drafts through the lifecycle with the API alone, as the service accounts of the route's units."""

    def __init__(self, client: Client, tokens: dict, nominees: dict, routes: dict, counter: "StatementCounter"):
        self.client, self.tokens, self.nominees, self.routes = client, tokens, nominees, routes
        self.counter = counter
        # Requests and their statements by kind: the submission, the inbox reads, the steps' acts.
        self.requests, self.statements = Counter(), Counter()

    def call(self, method, url, token, *, headers=None, **kwargs):
        kind = "submit" if url.endswith("/submit/") else "act" if url.endswith("/act/") else "inbox"
        self.requests[kind] += 1
        before = self.counter.count
        headers = {"Authorization": f"Bearer {token}", **(headers or {})}
        response = getattr(self.client, method)(url, headers=headers, **kwargs)
        self.statements[kind] += self.counter.count - before
        if response.status_code != 200:
            sys.exit(f"{method.upper()} {url}: {response.status_code} {response.content[:500]!r}")
        return response.json()

    def step(self, dossier_id, token, kind) -> int:
        """The dossier's step in the account's inbox, as an integrating system finds it."""
        tasks = self.call("get", "/api/v1/tasks/", token)["results"]
        return next(t["id"] for t in tasks if t["dossier"] == dossier_id and t["step"] == kind)

    def act(self, task_id, token, data, *, multipart=False):
        url = f"/api/v1/tasks/{task_id}/act/"
        if multipart:
            return self.call("post", url, token, data=data)
        return self.call("post", url, token, data=data, content_type="application/json")

    def run(self, drafts):
        for dossier in drafts:
            self.run_one(dossier)

    def run_one(self, dossier):
        pk, ids = dossier.pk, self.nominees[dossier.pk]
        submitter = self.tokens[dossier.originating_unit_id, Role.SUBMITTER]
        self.call("post", f"/api/v1/dossiers/{pk}/submit/", submitter, headers={"Idempotency-Key": f"submit-{pk}"})
        route = self.routes[pk]
        for position, unit_id in enumerate(route):
            last = position == len(route) - 1
            for role, kind in STAGE_STEPS:
                token = self.tokens[unit_id, role]
                task = self.step(pk, token, kind)
                if kind == "appraise":
                    data = {"act": "council", "opinion": "Đủ điều kiện, đề nghị trình Hội đồng."}
                    self.act(task, token, data | {f"recommend_{n}": True for n in ids})
                elif kind == "vote":
                    minutes = SimpleUploadedFile("bien-ban.pdf", lifecycle.PDF_BYTES, "application/pdf")
                    data = {"members": 9, "minutes": minutes}
                    for n in ids:
                        data |= {f"present_{n}": 9, f"for_{n}": 9, f"against_{n}": 0}
                    self.act(task, token, data, multipart=True)
                else:
                    outcome = StageOutcome.DECIDE if last else StageOutcome.FORWARD
                    self.act(task, token, {"outcome": outcome, "note": ""} | {f"keep_{n}": True for n in ids})


def run_lifecycle(per_run: int, nominees: int) -> None:
    if connection.vendor != "postgresql":
        sys.exit("bench_api lifecycle needs PostgreSQL: set DATABASE_URL=postgres://…")
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"database: {connection.display_name}; load average before the run: {load()}")
        generator = Generator(stdout=open(os.devnull, "w"))  # noqa: SIM115 (lives as long as the process)
        generator.prepare(users=400, nominees_per_dossier=nominees, seed=1)
        award = AwardType.objects.prefetch_related("required_documents").get(code=AWARD)
        service_drafts = [generator.make_draft(index, award) for index in range(per_run)]
        api_drafts = [generator.make_draft(per_run + index, award)[0] for index in range(per_run)]
        admin = bench_admin()
        tokens, routes, nominee_ids = {}, {}, {}
        for dossier in api_drafts:
            route = compute_route(originating_unit=dossier.originating_unit, award_type=award)
            routes[dossier.pk] = [unit.pk for unit in route]
            nominee_ids[dossier.pk] = list(dossier.nominees.order_by("pk").values_list("pk", flat=True))
            seats = [(dossier.originating_unit, Role.SUBMITTER)]
            seats += [(unit, role) for unit in route for role, _kind in STAGE_STEPS]
            for unit, role in seats:
                if (unit.pk, role) not in tokens:
                    tokens[unit.pk, role] = account_token(admin, unit, role, scopes=(Scope.READ, Scope.WRITE))
        print(f"{per_run} dossiers per path, {nominees} nominees each, 10 transitions per dossier (ministry route)")
        counter = StatementCounter()
        driver = ApiDriver(Client(), tokens, nominee_ids, routes, counter)
        rates = {}
        with lifecycle.no_mail():
            for label, drive in (
                ("service layer", lambda: through_services(service_drafts, generator.seats)),
                ("API", lambda: driver.run(api_drafts)),
            ):
                counter.count = 0
                with connection.execute_wrapper(counter):
                    started, cpu = time.perf_counter(), time.process_time()
                    drive()
                    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
                rates[label] = per_run / elapsed
                requests = f", {driver.requests.total() / per_run:.0f} requests" if label == "API" else ""
                print(
                    f"{label:14} {rates[label]:6.2f} dossiers/s  {counter.count / per_run:6.1f} statements"
                    f"{requests} per dossier  CPU {1000 * cpu / per_run:6.1f} ms per dossier"
                )
        for kind, count in driver.requests.items():
            print(
                f"  API {kind:6} {count / per_run:4.0f} requests per dossier, "
                f"{driver.statements[kind] / count:5.1f} statements each"
            )
        print(f"API / service layer: {rates['API'] / rates['service layer']:.2f}")
        print(f"load average after the run: {load()}")
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "lifecycle"
    numbers = [int(arg) for arg in sys.argv[2:]]
    if mode == "reads":
        reads(*(numbers[:1] or [30]))
    elif mode == "lifecycle":
        run_lifecycle(*(numbers + [12, 5][len(numbers) :])[:2])
    else:
        sys.exit(__doc__.split("\n\n")[1])


if __name__ == "__main__":
    main()
