"""Latency and SQL query count of the reports on generated national data.

Usage: ``DATABASE_URL=postgres://… .venv/bin/python benchmarks/bench_reports.py [runs]`` (20 by default) against a
database that ``generate_national_data`` filled. The generator files no dossier under a campaign, puts nobody in a
subject group and revokes nothing, so the script first puts every dossier of the busiest year under one campaign (a
benchmark campaign it creates, with five subject groups), the individuals of that year in those groups in turn, and
revokes every award of one decision in a hundred (its only writes, besides sessions, and the statistics' tallies
it then counts afresh, since those writes bypass the services): the yearly report then counts a province's whole
year, the worst case, with every column and table filled.

It measures, through Django's test client (the whole middleware stack):

- the statistics page of the Ministry of Public Security's head for that year (the branch: about 40 % of all
  nominees), and its XLSX export;
- the yearly report page of the province with the most dossiers that year, as its head.

Each is requested ``runs`` times after one warm-up; it prints p50/p95 wall-clock and the queries of one request.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from nominations.models import (  # noqa: E402
    AwardRecord,
    Campaign,
    CampaignSubjectGroup,
    Decision,
    Dossier,
    Nominee,
    Revocation,
    RevocationScope,
    SubjectType,
)
from nominations.services import tallies_rebuild  # noqa: E402
from org_hierarchy.models import Branch, Level, Membership, OrgUnit, Role  # noqa: E402

CAMPAIGN = "Phong trào thi đua (benchmark của báo cáo năm)"


def measure(client, url, runs):
    client.get(url)
    times = []
    for _run in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    times.sort()
    p95 = times[max(int(len(times) * 0.95) - 1, 0)]
    return statistics.median(times), p95, len(queries)


def head_of(unit):
    membership = (
        Membership.objects.active().filter(unit=unit, role__in=[Role.APPROVER, Role.AUDITOR]).select_related("user")
    ).first()
    if membership is None:
        raise SystemExit(f"nobody heads {unit}: run generate_national_data first")
    return membership.user


def fill_groups_and_revocations(campaign, year) -> None:
    """Give the campaign five subject groups with the year's individuals in them, and revoke one decision in 100."""
    if not campaign.subject_groups.exists():
        CampaignSubjectGroup.objects.bulk_create(
            CampaignSubjectGroup(campaign=campaign, position=n, name_vi=f"Nhóm đối tượng {n}") for n in range(1, 6)
        )
        groups = list(campaign.subject_groups.values_list("pk", flat=True))
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE nominations_nominee n SET subject_group_id = (%s::int[])[1 + n.id %% 5]"
                " FROM nominations_dossier d WHERE n.dossier_id = d.id AND d.year = %s AND n.subject_type = %s",
                [groups, year, SubjectType.INDIVIDUAL],
            )
    if not Revocation.objects.exists():
        decisions = Decision.objects.filter(dossier__year=year).select_related("signer").order_by("pk")[::100]
        Revocation.objects.bulk_create(
            Revocation(
                decision=decision,
                scope=RevocationScope.DECISION,
                reason="benchmark",
                reference=f"{decision.pk}/QĐ-HB",
                revoked_on=decision.decision_date,
                revoked_by=decision.signer,
            )
            for decision in decisions
        )
        for revocation in Revocation.objects.all():
            AwardRecord.objects.filter(decision_id=revocation.decision_id).update(revocation=revocation)
    print(
        f"{Nominee.objects.exclude(subject_group=None).count():,} individuals in a subject group; "
        f"{AwardRecord.objects.exclude(revocation=None).count():,} awards revoked"
    )


@override_settings(ALLOWED_HOSTS=["*"])
def main(runs: int) -> None:
    years = Dossier.objects.values("year").annotate(n=Count("pk")).order_by("-n")
    if not years:
        print("no dossier in this database: fill it with generate_national_data first")
        return
    year = years[0]["year"]
    ministry = OrgUnit.objects.get(branch=Branch.SECURITY, level=Level.MINISTRY, depth=1)
    campaign, _created = Campaign.objects.get_or_create(
        name=CAMPAIGN, defaults={"period_start": datetime.date(year, 1, 1), "launching_unit": ministry}
    )
    Dossier.objects.filter(year=year).exclude(campaign=campaign).update(campaign=campaign)
    fill_groups_and_revocations(campaign, year)
    # Those writes went round the services, which keep the statistics' tallies: count them afresh.
    started = time.perf_counter()
    rows = tallies_rebuild()
    with connection.cursor() as cursor:
        # As autovacuum soon would after such a rewrite: fresh statistics, and the visibility map that lets the
        # tallies be read from their index alone.
        cursor.execute("VACUUM ANALYZE nominations_dossiertally")
    print(f"{rows:,} tally rows written afresh in {time.perf_counter() - started:.1f} s")
    provinces = {unit.path: unit for unit in OrgUnit.objects.filter(level=Level.PROVINCE, branch=Branch.CIVIL)}
    length = len(next(iter(provinces)))
    busiest = max(
        provinces.values(),
        key=lambda unit: Dossier.objects.filter(year=year, originating_unit__path__startswith=unit.path).count(),
    )
    print(f"{Dossier.objects.count():,} dossiers, {Nominee.objects.count():,} nominees; year {year}")
    branch = Nominee.objects.filter(dossier__year=year, dossier__originating_unit__path__startswith=ministry.path)
    print(
        f"the Ministry's branch that year: {branch.count():,} nominees originated in it; {busiest.name}: "
        f"{Dossier.objects.filter(year=year, originating_unit__path__startswith=busiest.path).count():,} dossiers"
        f" (path prefix length {length})"
    )
    minister, province_head = Client(), Client()
    minister.force_login(head_of(ministry))
    province_head.force_login(head_of(busiest))
    pages = [
        ("statistics, Ministry, one year", minister, reverse("reports:statistics") + f"?year={year}"),
        (
            "statistics XLSX, Ministry, one year",
            minister,
            reverse("reports:statistics_export", args=["xlsx"]) + f"?year={year}",
        ),
        (
            "yearly report, busiest province",
            province_head,
            reverse("reports:yearly_report", args=[campaign.pk, year, busiest.pk]),
        ),
    ]
    print(f"{'page':<40} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for label, client, url in pages:
        p50, p95, queries = measure(client, url, runs)
        print(f"{label:<40} {p50:>8.0f} {p95:>8.0f} {queries:>8}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="?", type=int, default=20, help="requests per page after the warm-up")
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench_reports.py measures a database filled by generate_national_data: set DATABASE_URL to it.")
        sys.exit(0)
    main(options.runs)
