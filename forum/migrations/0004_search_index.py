"""Full-text search on PostgreSQL: a stored generated tsvector column on questions and FAQ
entries, each with a GIN index (see forum.search; the 'simple' configuration: no stemming,
which suits Bahasa Indonesia better than any other built-in configuration). The column is not
a model field: the database keeps it current. The embedded SQLite default needs neither."""

from django.db import migrations

from forum.search import (
    COLUMN,
    FAQ_COLUMN_SQL,
    FAQ_INDEX_NAME,
    FAQ_INDEX_SQL,
    INDEX_NAME,
    INDEX_SQL,
    QUESTION_COLUMN_SQL,
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(QUESTION_COLUMN_SQL)
        schema_editor.execute(INDEX_SQL)
        schema_editor.execute(FAQ_COLUMN_SQL)
        schema_editor.execute(FAQ_INDEX_SQL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {FAQ_INDEX_NAME}")
        schema_editor.execute(f"ALTER TABLE forum_question DROP COLUMN IF EXISTS {COLUMN}")
        schema_editor.execute(f"ALTER TABLE forum_faqentry DROP COLUMN IF EXISTS {COLUMN}")


class Migration(migrations.Migration):
    dependencies = [("forum", "0003_flags_faq")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
