"""The reports app left the `peksos` package, and its Celery task names with it: messages still
waiting in the outbox under the old names are renamed, so none is lost on deploy."""

from django.db import migrations

RENAMED = {"peksos.reports.tasks.render_report": "reports.tasks.render_report"}


def _rename(apps, names: dict) -> None:
    message = apps.get_model("core", "OutboxMessage")
    for old, new in names.items():
        message.objects.filter(kind=old).update(kind=new)


def forwards(apps, schema_editor):
    _rename(apps, RENAMED)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("core", "0004_partition_version"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
