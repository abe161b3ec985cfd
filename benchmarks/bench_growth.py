"""How the figures of the other benchmarks grow with the data: 10k, 100k and 1M nominees.

Usage (PostgreSQL only)::

    DATABASE_URL=postgres://USER@HOST:PORT/meritflow .venv/bin/python benchmarks/bench_growth.py \\
        [--sizes 1000,10000,100000] [--existing 100000=DBNAME] [--runs 20] [--results FILE]

For each size (dossiers of 10 nominees) it creates a database ``<name>_growth_<size>`` beside the one
``DATABASE_URL`` names, migrates it, fills it with ``generate_national_data`` (wall time and load average),
measures the pages with ``bench_pages.py --in-place`` and the lifecycle with ``bench_lifecycle.py --in-place 24 5``
(each in its own process, against that database), then drops it. ``--existing SIZE=DBNAME`` measures a database
already filled at that size instead (it is neither generated nor dropped); ``--pages-only`` skips the lifecycle
run, which writes (so the pages of a database still being filled can be measured). It prints each run's output, then one
table: every figure per size and how much it grew from the smallest size to the largest. ``--results FILE`` keeps
each size's figures in a JSON file and prints the table over every size the file holds, so sizes can be measured
in separate runs.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

PAGE_LINE = re.compile(
    r"^(?P<label>.+?)\s+p50\s+(?P<p50>[\d.]+) ms\s+p95\s+(?P<p95>[\d.]+) ms\s+(?P<q>\d+) queries"
    r"(?:.*client CPU p50\s+(?P<cpu>[\d.]+) ms)?"
)
VERIFY_LINE = re.compile(r"^verify_audit: (?P<n>\d+) entries in [\d.]+ s = (?P<rate>[\d,]+) entries/s")
LIFECYCLE_LINE = re.compile(
    r"^(?P<procs>\d) process(?:es)?\s*: engine\s+(?P<rate>[\d.]+) dossiers/s.*engine/floor\s+(?P<ratio>[\d.]+)"
)
MEMORY_LINE = re.compile(r"^peak resident memory of the serving process: (?P<mib>\d+) MiB")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def admin(url: str, statement: str) -> None:
    connection = psycopg2.connect(with_database(url, "postgres"))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(statement)
    connection.close()


def run(args: list[str], url: str) -> tuple[str, float]:
    """Run one step against the database at ``url``; echo and return its output and wall time."""
    started = time.perf_counter()
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    print(result.stdout, end="")
    if result.returncode:
        print(result.stderr[-3000:], end="")
    return result.stdout, elapsed


def figures(pages: str, lifecycle: str) -> dict[str, str]:
    found = {}
    for line in pages.splitlines():
        if match := PAGE_LINE.match(line):
            label = match["label"].strip()
            found[f"{label} p50 ms"] = match["p50"]
            found[f"{label} p95 ms"] = match["p95"]
            found[f"{label} queries"] = match["q"]
            if match["cpu"]:
                found[f"{label} CPU ms"] = match["cpu"]
        elif (match := VERIFY_LINE.match(line)) and "verify_audit entries/s" not in found:
            found["ledger entries"] = match["n"]
            found["verify_audit entries/s"] = match["rate"].replace(",", "")
        elif match := MEMORY_LINE.match(line):
            found["serving process peak MiB"] = match["mib"]
    for line in lifecycle.splitlines():
        if match := LIFECYCLE_LINE.match(line):
            found[f"lifecycle {match['procs']} proc dossiers/s"] = match["rate"]
            found[f"lifecycle {match['procs']} proc engine/floor"] = match["ratio"]
    return found


def measure(url: str, size: int, runs: int, *, generate: bool, lifecycle: bool = True) -> dict[str, str]:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"== {size} dossiers ({size * 10} nominees); load average: {load}", flush=True)
    found = {}
    if generate:
        run([PYTHON, "manage.py", "migrate", "-v0"], url)
        _output, elapsed = run([PYTHON, "manage.py", "generate_national_data", "--dossiers", str(size)], url)
        found["generation s"] = f"{elapsed:.0f}"
    pages, _elapsed = run([PYTHON, "benchmarks/bench_pages.py", "--in-place", str(runs)], url)
    steps = ""
    if lifecycle:
        steps, _elapsed = run([PYTHON, "benchmarks/bench_lifecycle.py", "--in-place", "24", "5"], url)
    return found | figures(pages, steps)


def table(results: dict[int, dict[str, str]]) -> None:
    sizes = sorted(results)
    names = list(dict.fromkeys(name for size in sizes for name in results[size]))
    header = f"{'figure':44}" + "".join(f"{f'{size * 10:,} nom.':>14}" for size in sizes) + f"{'growth':>9}"
    print(header)
    for name in names:
        cells = [results[size].get(name, "") for size in sizes]
        growth = ""
        if cells[0] and cells[-1] and float(cells[0]):
            growth = f"x{float(cells[-1]) / float(cells[0]):.2f}"
        print(f"{name:44}" + "".join(f"{cell:>14}" for cell in cells) + f"{growth:>9}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--existing", action="append", default=[], help="SIZE=DBNAME: measure a filled database")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--results", type=Path, help="JSON file keeping each size's figures between runs")
    parser.add_argument(
        "--pages-only", action="store_true", help="skip the lifecycle run (it writes; the pages only read)"
    )
    options = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    existing = {int(size): name for size, name in (item.split("=", 1) for item in options.existing)}
    base = urlsplit(url).path.lstrip("/")
    results = {}
    if options.results and options.results.exists():
        results = {int(size): found for size, found in json.loads(options.results.read_text()).items()}
    for size in (int(item) for item in options.sizes.split(",")):
        if size in existing:
            target = with_database(url, existing[size])
            found = measure(target, size, options.runs, generate=False, lifecycle=not options.pages_only)
            results[size] = results.get(size, {}) | found
        else:
            name = f"{base}_growth_{size}"
            admin(url, f'DROP DATABASE IF EXISTS "{name}"')
            admin(url, f'CREATE DATABASE "{name}"')
            try:
                results[size] = measure(
                    with_database(url, name), size, options.runs, generate=True, lifecycle=not options.pages_only
                )
            finally:
                admin(url, f'DROP DATABASE IF EXISTS "{name}"')
        if options.results:
            options.results.write_text(json.dumps(results, indent=1))
    table(results)


if __name__ == "__main__":
    main()
