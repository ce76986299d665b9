"""The compliance figure's keys are by region level now (province, kabupaten/kota,
kecamatan: visits/figures.py): its old rows are dropped here, and the figure is counted
again from the visits right after (`schools.tallies_check.fill_if_empty`, post_migrate)."""

from django.db import migrations


def drop_compliance_rows(apps, schema_editor):
    db = schema_editor.connection.alias
    for model in ("Tally", "SchoolTally"):
        apps.get_model("core", model).objects.using(db).filter(figure="compliance").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0003_visit_agreement_recorded"),
        ("core", "0007_tallies"),
        ("schools", "0005_upperregion"),
    ]

    operations = [migrations.RunPython(drop_compliance_rows, migrations.RunPython.noop)]
