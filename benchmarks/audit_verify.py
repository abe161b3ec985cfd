"""Measure how fast ``verify_audit`` checks the ledger.

Usage: ``DATABASE_URL=postgres://… .venv/bin/python benchmarks/audit_verify.py [entries]``

Creates a throw-away test database (as the test runner does), fills the ledger with ``entries`` chained entries
shaped like real ones (actor, unit, subject, nominee outcomes), then times the verification and prints entries
per second. The database is dropped afterwards.
"""

import os
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from audit.chain import GENESIS_HASH, entry_hash  # noqa: E402
from audit.events import AuditEvent  # noqa: E402
from audit.models import ChainHead, LedgerEntry  # noqa: E402
from audit.verify import verify_ledger  # noqa: E402
from org_hierarchy.models import Branch, Level, OrgUnit  # noqa: E402

BATCH = 5000


def fill(count: int) -> None:
    """Write ``count`` chained entries directly (bulk insert, the hashes computed as ``record`` does)."""
    actor = get_user_model().objects.create_user(username="bench", full_name="Nguyễn Văn Kiểm Tra")
    unit = OrgUnit.objects.add_root(
        instance=OrgUnit(
            name="Công an Thành phố Đà Nẵng", short_name="CATP", branch=Branch.SECURITY, level=Level.PROVINCE
        )
    )
    unit_type = ContentType.objects.get_for_model(OrgUnit)
    events = [AuditEvent.STAGE_APPRAISED, AuditEvent.STAGE_VOTED, AuditEvent.STAGE_SIGNED, AuditEvent.STAGE_FORWARDED]
    previous = GENESIS_HASH
    now = timezone.now()
    for start in range(1, count + 1, BATCH):
        batch = []
        for sequence in range(start, min(start + BATCH, count + 1)):
            fields = {
                "sequence": sequence,
                "event": events[sequence % 4].value,
                "occurred_at": now,
                "actor_id": actor.pk,
                "actor_name": actor.full_name,
                "role": "appraiser",
                "acting_for_id": None,
                "acting_for_name": "",
                "unit_id": unit.pk,
                "unit_name": unit.name,
                "stage": "province_appraise",
                "subject_type": "org_hierarchy.orgunit",
                "subject_id": str(unit.pk),
                "subject_text": unit.name,
                "version_digest": "3f" * 32,
                "reason": "Đủ điều kiện theo Điều 24 Luật Thi đua, khen thưởng",
                "data": {"outcomes": {str(n): "approved" for n in range(5)}},
                "prev_hash": previous,
            }
            previous = entry_hash(fields)
            model_fields = {k: v for k, v in fields.items() if k != "subject_type"}
            batch.append(LedgerEntry(**model_fields, subject_type=unit_type, hash=previous))
        with transaction.atomic():
            LedgerEntry.objects.bulk_create(batch)
    ChainHead.objects.update_or_create(pk=1, defaults={"sequence": count, "hash": previous})


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        fill(count)
        with connection.cursor() as cursor:
            # As a live database would be after autovacuum: the planner knows the table's size.
            cursor.execute(f"ANALYZE {LedgerEntry._meta.db_table}")
        print(f"load average before the run: {', '.join(f'{load:.1f}' for load in os.getloadavg())}")
        for _ in range(3):
            started, started_cpu = time.perf_counter(), time.process_time()
            result = verify_ledger()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
            assert result.ok and result.checked == count, result
            print(
                f"{connection.vendor}: {count} entries verified in {elapsed:.2f} s = {count / elapsed:,.0f} entries/s "
                f"({cpu:.2f} s of client CPU)"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
