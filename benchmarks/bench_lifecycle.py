"""Dossiers per second through the full ministry route, through the service layer, against the plain-SQL floor.

Usage: ``DATABASE_URL=postgres://… .venv/bin/python benchmarks/bench_lifecycle.py [--in-place] [dossiers]
[nominees]`` (defaults 24 dossiers per run, 5 nominees each). PostgreSQL only: the point is concurrency and commits.

By default it creates a throw-away database (``test_<name>``, as the test runner does), imports the national tree
and a few hundred officers with ``generate_national_data``'s own steps. With ``--in-place`` it runs in the database
``DATABASE_URL`` names, as ``generate_national_data`` filled it, and adds only what it needs: the officers of the
route units it uses that have nobody seated, and its drafts (which it leaves there, decided). Either way it opens
complete drafts of the Minister of Public Security's Bằng khen (route: ward police, provincial police, the
Ministry). Each dossier then goes through ten
transitions: submit, and at each of the three stages appraise, council vote and the head's signature (forward,
forward, decide with the numbered decision), each as the task view runs it (flow lock, transaction, the service).
This runs with 1, 2 and 4 worker processes, each with its own connection and its own share of the dossiers.

Every statement and commit of the engine run is counted per transition. The floor replays the same number of
transactions with the same writes (one single-row INSERT, or UPDATE by key, per write statement the engine
issued) through psycopg2 with no ORM, no reads and no locks, with the same number of processes; the ratio
engine/floor says what the framework costs over the bare writes, and the engine's own CPU time per transition
(summed over its processes) says it in a figure that the machine's other load moves less. For the single process
it also prints where each transition's statements go, by the tables they touch.

Then the reference: ``bareflow.flows.BareFlow``, a flow of the same shape (the same human steps and gateways per
stage, three stages) in viewflow's own nodes with no services, no history, no ledger and no notices, driven the
same way and measured against its own floor. Its ratio is what viewflow itself costs over bare writes on this
machine; the engine's ratio over it is what meritflow's own work costs.
"""

import argparse
import io
import multiprocessing
import os
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Tasks (the e-mail outbox's delivery, the decision's documents) are queued in the database as production queues
# them, for a worker this script does not run: a step costs their enqueueing, not their work.
os.environ["TASKS_BACKEND"] = "database"
from django.conf import settings

# The reference flow (viewflow's own nodes, no services) lives in this directory's ``bareflow`` package.
settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "bareflow"]
django.setup()

import psycopg2  # noqa: E402
from bareflow.flows import BareFlow  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from viewflow.workflow.models import Task  # noqa: E402
from viewflow.workflow.status import STATUS  # noqa: E402

from benchmarks.national import lifecycle  # noqa: E402
from benchmarks.national.generator import (  # noqa: E402
    LOCALITY_ROLES,
    STAGE_ROLES,
    Locality,
)
from benchmarks.national.generator import Command as Generator  # noqa: E402
from nominations.models import AwardType  # noqa: E402
from org_hierarchy.models import Branch, Level, Membership, OrgUnit, Role  # noqa: E402
from org_hierarchy.selectors import members_with_role  # noqa: E402
from org_hierarchy.services import users_import  # noqa: E402
from workflows.models import StageOutcome  # noqa: E402

CONCURRENCY = (1, 2, 4)
STEPS = ("submit", "appraise", "vote", "sign_forward", "sign_decide")
WRITES = ("INSERT", "UPDATE", "DELETE")
PAYLOAD = "x" * 300  # about the width of a task or history row
AWARD = "bk_bo_truong_cong_an"
# Where a statement goes: by the table it reads or writes (the first after FROM, INTO or UPDATE).
# The statement that takes the ledger's chain-head row lock (``audit.services``).
CHAIN_HEAD_LOCK = re.compile(r"audit_chainhead.*FOR UPDATE", re.IGNORECASE | re.DOTALL)
TARGET = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)
PARTS = (
    ("task history", "workflows_historicaltask"),
    ("tasks", "viewflow_task"),
    ("process", "viewflow_process"),
    ("ledger", "audit_"),
    ("notifications", "notifications_"),
    ("dossier", "nominations_"),
    ("people and units", ("org_hierarchy_", "auth_", "guardian_", "django_content_type")),
)


def part_of(sql: str) -> str:
    if sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
        return "savepoints"
    match = TARGET.search(sql)
    table = match.group(1) if match else ""
    if table == "viewflow_process" and "FOR UPDATE" in sql.upper():
        return "flow lock"
    return next((name for name, prefix in PARTS if table.startswith(prefix)), "other")


class Meter:
    """Count statements (by verb) and commits of this process's connection, per named transition."""

    def __init__(self):
        self.statements: Counter = Counter()
        self.parts: dict[str, Counter] = {}
        self.commits: Counter = Counter()
        self.transitions: Counter = Counter()
        self.writes: dict[str, list[list[str]]] = {}
        self.current = ""
        self.transaction: list[str] = []
        # How long each transaction held the ledger's chain head: from the statement that locks it to the end of
        # the commit that releases it.
        self.head_held: dict[str, list[float]] = {}
        self.head_locked_at: float | None = None

    def __call__(self, execute, sql, params, many, context):
        self.statements[self.current] += 1
        self.parts.setdefault(self.current, Counter())[part_of(sql)] += 1
        verb = sql.lstrip().split(None, 1)[0].upper()
        if verb in WRITES:
            self.transaction.append(verb)
        result = execute(sql, params, many, context)
        if self.head_locked_at is None and CHAIN_HEAD_LOCK.search(sql):
            # Held from when the lock is granted, not from when this transaction began to wait for it.
            self.head_locked_at = time.perf_counter()
        return result

    def start(self, step: str) -> None:
        """Count what follows as one transition of ``step`` (its own transaction and what runs after its commit)."""
        self.current = step
        self.transitions[step] += 1

    def install(self):
        connection.execute_wrappers.append(self)
        commit = connection._commit

        def counted_commit():
            self.commits[self.current] += 1
            self.writes.setdefault(self.current, []).append(self.transaction)
            self.transaction = []
            commit()
            if self.head_locked_at is not None:
                self.head_held.setdefault(self.current, []).append(time.perf_counter() - self.head_locked_at)
                self.head_locked_at = None

        connection._commit = counted_commit


def drive(process_dossiers, officers, meter):
    """Take each (dossier, submitter) through the ten transitions; return the elapsed wall-clock seconds."""
    started = time.perf_counter()
    for dossier, submitter in process_dossiers:
        meter.start("submit")
        process = lifecycle.submit(dossier, actor=submitter)
        route = [unit_id for _level, unit_id in process.route]
        for position, unit_id in enumerate(route):
            meter.start("appraise")
            lifecycle.appraise(process, actor=officers[unit_id, Role.APPRAISER])
            meter.start("vote")
            lifecycle.vote(process, actor=officers[unit_id, Role.SECRETARY])
            last = position == len(route) - 1
            meter.start("sign_decide" if last else "sign_forward")
            outcome = StageOutcome.DECIDE if last else StageOutcome.FORWARD
            lifecycle.sign(process, actor=officers[unit_id, Role.APPROVER], outcome=outcome)
    return time.perf_counter() - started


def drive_bare(count, user, meter):
    """Take ``count`` processes of the reference flow through the same ten steps, as ``drive`` does."""
    request = RequestFactory().post("/")
    request.user = user
    started = time.perf_counter()
    for _ in range(count):
        meter.start("submit")
        with transaction.atomic():
            activation = BareFlow.start.activation_class.create(BareFlow.start, None, None)
            activation.start(request)
            activation.execute()
        process = activation.process
        for stage in range(3):
            for step in ("appraise", "vote", "sign_decide" if stage == 2 else "sign_forward"):
                meter.start(step)
                with BareFlow.instance.lock(process.pk):
                    task = Task.objects.select_related("process", "owner").get(
                        process_id=process.pk, flow_task_type="HUMAN", status=STATUS.NEW
                    )
                    step_activation = task.flow_task.activation_class(task)
                    task.owner, task.status = user, STATUS.ASSIGNED
                    step_activation.start(request)
                    step_activation.execute()
    return time.perf_counter() - started


def measured_worker(drive_them, share, context, barrier, results):
    """Run ``drive_them(share, context, meter)`` in this process, counting its statements, commits and CPU time."""
    connections.close_all()
    meter = Meter()
    meter.install()
    barrier.wait()
    cpu = time.process_time()
    with lifecycle.no_mail():
        elapsed = drive_them(share, context, meter)
    cpu = time.process_time() - cpu
    results.put(
        (
            elapsed,
            dict(meter.statements),
            dict(meter.commits),
            meter.writes,
            meter.parts,
            cpu,
            meter.head_held,
            dict(meter.transitions),
        )
    )


def floor_worker(dsn, transactions, barrier, results):
    """Replay ``transactions`` (the verbs of each one's write statements) with plain SQL, one commit each."""
    db = psycopg2.connect(**dsn)
    cursor = db.cursor()
    # Updates go to a row of this worker's own, as the engine's go to its own dossier's rows.
    cursor.execute("INSERT INTO bench_floor (payload) VALUES (%s) RETURNING id", (PAYLOAD,))
    own_row = cursor.fetchone()[0]
    db.commit()
    barrier.wait()
    started = time.perf_counter()
    for verbs in transactions:
        for verb in verbs:
            if verb == "INSERT":
                cursor.execute("INSERT INTO bench_floor (payload) VALUES (%s) RETURNING id", (PAYLOAD,))
                cursor.fetchone()
            else:
                cursor.execute("UPDATE bench_floor SET payload = %s WHERE id = %s", (PAYLOAD, own_row))
        db.commit()
    results.put(time.perf_counter() - started)
    db.close()


def report(label, outcomes, per_run, dsn, workers) -> dict:
    """Print the rate of ``outcomes`` against the floor replaying their writes, and for one process its statements
    and how long each step held the ledger's chain head; return the figures the targets compare."""
    elapsed = max(outcome[0] for outcome in outcomes)
    statements, commits, transitions, writes, parts, held = Counter(), Counter(), Counter(), {}, {}, {}
    for (
        _elapsed,
        worker_statements,
        worker_commits,
        worker_writes,
        worker_parts,
        _cpu,
        worker_held,
        worker_steps,
    ) in outcomes:
        transitions.update(worker_steps)
        for step, counter in worker_parts.items():
            parts.setdefault(step, Counter()).update(counter)
        statements.update(worker_statements)
        commits.update(worker_commits)
        for step, transactions in worker_writes.items():
            writes.setdefault(step, []).extend(transactions)
        for step, times in worker_held.items():
            held.setdefault(step, []).extend(times)
    rate = per_run / elapsed
    # The floor: the same transactions, each with the same number of written rows, in the same split.
    replay = [[verbs for step in worker[3] for verbs in worker[3][step]] for worker in outcomes]
    floor_rate = per_run / max(run(floor_worker, replay, lambda share: (dsn, share)))
    # The processes' own CPU time, summed: steadier than wall-clock on a shared machine.
    cpu_ms = 1000 * sum(outcome[5] for outcome in outcomes) / sum(transitions.values())
    all_held = sorted(time for times in held.values() for time in times)
    hold = (
        f"  chain head held {1000 * _median(all_held):.1f} ms median, {1000 * all_held[-1]:.1f} max" if all_held else ""
    )
    print(
        f"{workers} process{'es' if workers > 1 else '  '}: {label} {rate:6.2f} dossiers/s  "
        f"floor {floor_rate:7.2f} dossiers/s  {label}/floor {floor_rate / rate:5.2f}  "
        f"{label} CPU {cpu_ms:5.1f} ms per transition"
        f"{hold}"
    )
    figures = {
        "rate": rate,
        "cpu_ms": cpu_ms,
        "statements": sum(statements.values()) / sum(transitions.values()),
        "held_ms": 1000 * _median(all_held) if all_held else 0.0,
    }
    if workers > 1:
        return figures
    for step in STEPS:
        count = transitions[step]
        rows = sum(len(verbs) for verbs in writes[step]) / count
        times = sorted(held.get(step, []))
        hold = f", chain head held {1000 * _median(times):5.1f} ms (max {1000 * times[-1]:5.1f})" if times else ""
        print(
            f"  {step:13} {statements[step] / count:6.1f} statements, "
            f"{commits[step] / count:3.1f} commits, {rows:5.1f} write statements per transition{hold}"
        )
    print("  statements per transition by what they touch:")
    for step in STEPS:
        count = transitions[step]
        shares = ", ".join(f"{name} {n / count:.1f}" for name, n in parts[step].most_common())
        print(f"  {step:13} {shares}")
    return figures


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def run(target, shares, args):
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(len(shares)), context.Queue()
    workers = [context.Process(target=target, args=(*args(share), barrier, results)) for share in shares]
    for worker in workers:
        worker.start()
    outcomes = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    return outcomes


def print_targets(engine: dict, bare: dict) -> None:
    """The targets of the step's cost, as ratios of this run's own figures."""
    print(f"load average after the run: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    cpu = engine[1]["cpu_ms"] / bare[1]["cpu_ms"]
    print(f"targets: engine CPU / viewflow CPU per transition {cpu:.2f} (at most 2)")
    print(f"         chain head held {engine[1]['held_ms']:.1f} ms median per transaction, 1 process (at most 5)")
    print(
        f"         2 processes / 1 {engine[2]['rate'] / engine[1]['rate']:.2f} (at least 1.6), "
        f"4 processes / 2 {engine[4]['rate'] / engine[2]['rate']:.2f} (at least 1)"
    )
    print(f"         statements per transition {engine[1]['statements']:.1f} on average (at most 22)")


def seat_in_place(generator, *, localities: int, nominees: int) -> None:
    """Prepare ``generator`` to open drafts in an existing database: ward police with a submitter (as the data
    generator seats them), and someone in every stage role along their route, seating people only where nobody is.
    """
    generator.random = random.Random(1)
    generator.nominees_per_dossier = nominees
    seated = Membership.objects.active().filter(
        role=Role.SUBMITTER, unit__branch=Branch.SECURITY, unit__level=Level.COMMUNE
    )
    communes = list(OrgUnit.objects.filter(pk__in=seated.values("unit_id")).order_by("path")[:localities])
    if not communes:
        communes = list(
            OrgUnit.objects.filter(branch=Branch.SECURITY, level=Level.COMMUNE, is_active=True).order_by("path")[
                :localities
            ]
        )
    ministry = OrgUnit.objects.get(branch=Branch.SECURITY, level=Level.MINISTRY)
    seats = [(unit, role) for unit in communes for role in LOCALITY_ROLES]
    provinces = {OrgUnit.objects.get_parent(unit) for unit in communes} | {ministry}
    seats += [(unit, role) for unit in sorted(provinces, key=lambda unit: unit.path) for role in STAGE_ROLES]
    generator.seats = {}
    missing = []
    for unit, role in seats:
        person = members_with_role(unit=unit, role=role).order_by("pk").first()
        if person is None:
            missing.append((unit, role))
        else:
            generator.seats[unit.pk, role] = person
    if missing:
        rows = ["username,full_name,email,role,unit_id"]
        rows += [f"bench-{unit.pk}-{role},{generator.person()},,{role},{unit.pk}" for unit, role in missing]
        file = io.BytesIO("\n".join(rows).encode())
        file.name = "users.csv"
        report = users_import(file=file, actor=None)
        if not report.ok:
            sys.exit("; ".join(str(error) for error in report.errors[:5]))
        for unit, role in missing:
            generator.seats[unit.pk, role] = members_with_role(unit=unit, role=role).get()
    generator.localities = [Locality(units={Branch.SECURITY: unit}) for unit in communes]
    print(f"in place: {len(communes)} ward police units, {len(missing)} officers seated for the run")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--in-place", action="store_true", help="run in the database DATABASE_URL names")
    parser.add_argument("dossiers", nargs="?", type=int, default=24, help="dossiers per run (default 24)")
    parser.add_argument("nominees", nargs="?", type=int, default=5, help="nominees per dossier (default 5)")
    args = parser.parse_args()
    per_run, nominees = args.dossiers, args.nominees
    if connection.vendor != "postgresql":
        sys.exit("bench_lifecycle needs PostgreSQL: set DATABASE_URL=postgres://…")
    old_name = connection.settings_dict["NAME"]
    if not args.in_place:
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0].split(" on ")[0]
        print(f"database: {version}; load average before the run: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        generator = Generator(stdout=open(os.devnull, "w"))  # noqa: SIM115 (lives as long as the process)
        if args.in_place:
            seat_in_place(generator, localities=per_run, nominees=nominees)
        else:
            generator.prepare(users=400, nominees_per_dossier=nominees, seed=1)
        award = AwardType.objects.prefetch_related("required_documents").get(code=AWARD)
        drafts = {workers: [generator.make_draft(index, award) for index in range(per_run)] for workers in CONCURRENCY}
        officers = generator.seats
        database = connection.settings_dict
        dsn = {
            "dbname": database["NAME"],
            "user": database["USER"],
            "password": database["PASSWORD"],
            "host": database["HOST"],
            "port": database["PORT"],
        }
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_floor")
            cursor.execute("CREATE TABLE bench_floor (id bigserial PRIMARY KEY, payload text NOT NULL)")
        connections.close_all()
        print(f"{per_run} dossiers per run, {nominees} nominees each, 10 transitions per dossier (ministry route)")
        engine, bare = {}, {}
        for workers in CONCURRENCY:
            shares = [drafts[workers][i::workers] for i in range(workers)]
            outcomes = run(measured_worker, shares, lambda share: (drive, share, officers))
            engine[workers] = report("engine", outcomes, per_run, dsn, workers)
        print("reference: the same route's shape in viewflow's own nodes, no services, no history (bareflow)")
        user = next(iter(officers.values()))
        for workers in CONCURRENCY:
            counts = [len(range(i, per_run, workers)) for i in range(workers)]
            outcomes = run(measured_worker, counts, lambda count: (drive_bare, count, user))
            bare[workers] = report("viewflow", outcomes, per_run, dsn, workers)
        print_targets(engine, bare)
    finally:
        connections.close_all()
        if args.in_place:
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE IF EXISTS bench_floor")
            connections.close_all()
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
