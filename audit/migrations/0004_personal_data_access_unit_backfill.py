"""Give the personal data accesses recorded before the unit was stored the unit of the nominee's dossier.

Without a unit an access is visible to root auditors only; with it, the auditors of the dossier's province and
commune see it too. Accesses to anything other than a nominee, or to a nominee since deleted, keep no unit.
"""

from django.db import migrations


def backfill(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Nominee = apps.get_model("nominations", "Nominee")
    PersonalDataAccess = apps.get_model("audit", "PersonalDataAccess")
    nominee_type = ContentType.objects.filter(app_label="nominations", model="nominee").first()
    if nominee_type is None:
        return
    accesses = PersonalDataAccess.objects.filter(subject_type=nominee_type, unit__isnull=True)
    nominee_ids = {int(pk) for pk in accesses.values_list("subject_id", flat=True).distinct() if pk.isdigit()}
    units = dict(Nominee.objects.filter(pk__in=nominee_ids).values_list("pk", "dossier__originating_unit_id"))
    for nominee_id, unit_id in units.items():
        accesses.filter(subject_id=str(nominee_id)).update(unit_id=unit_id)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_personal_data_access_unit"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("nominations", "0003_order_labels"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
