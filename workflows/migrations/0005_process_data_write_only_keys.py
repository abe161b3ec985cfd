from django.db import migrations

# Kept on the process by the sign and return steps but never read: who signed (and for whom) is on the signature's
# ledger entry and the decision, the stage that returned the dossier on the dossier (``returned_by_unit``).
KEYS = ("signed_by_id", "acting_for_id", "returned_from")
BATCH = 2000


def drop_keys(apps, schema_editor):
    Process = apps.get_model("viewflow", "Process")
    changed = []
    for process in Process.objects.only("data").iterator():
        data = process.data or {}
        if any(key in data for key in KEYS):
            process.data = {key: value for key, value in data.items() if key not in KEYS}
            changed.append(process)
        if len(changed) >= BATCH:
            Process.objects.bulk_update(changed, ["data"])
            changed = []
    Process.objects.bulk_update(changed, ["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0004_calendar_exceptions"),
    ]

    operations = [migrations.RunPython(drop_keys, migrations.RunPython.noop)]
