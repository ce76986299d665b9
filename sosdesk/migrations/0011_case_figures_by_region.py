"""The SOS Desk figure's kecamatan keys are by region level now (province, kabupaten/kota,
kecamatan: sosdesk/figure_tallies.py): its old rows are dropped here, and the figure is
counted again from the cases right after (`schools.tallies_check.fill_if_empty`,
post_migrate)."""

from django.db import migrations


def drop_case_figure_rows(apps, schema_editor):
    db = schema_editor.connection.alias
    for model in ("Tally", "SchoolTally"):
        apps.get_model("core", model).objects.using(db).filter(figure="cases").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sosdesk", "0010_merge_protection_and_procedure"),
        ("core", "0007_tallies"),
        ("schools", "0005_upperregion"),
    ]

    operations = [migrations.RunPython(drop_case_figure_rows, migrations.RunPython.noop)]
