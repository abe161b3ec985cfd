"""The units' folded name (no diacritics, no case), which the unit search matches, filled for existing units."""

from django.db import migrations, models

from org_hierarchy.models import folded


def fill(apps, schema_editor):
    OrgUnit = apps.get_model("org_hierarchy", "OrgUnit")
    units = list(OrgUnit.objects.only("pk", "name", "short_name"))
    for unit in units:
        unit.search_name = folded(f"{unit.name} {unit.short_name}")
    OrgUnit.objects.bulk_update(units, ["search_name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("org_hierarchy", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="orgunit",
            name="search_name",
            field=models.CharField(blank=True, editable=False, max_length=300, verbose_name="search name"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
