"""SQLite: drop the row trigger that refused deleting published versions.

Django's ``flush`` (used between transactional tests) empties SQLite tables with
DELETE, which the trigger refused; PostgreSQL empties them with TRUNCATE, which row
triggers do not see, so its trigger stays. On SQLite the model and queryset refuse
the deletion instead (``DocumentVersion.delete``); the update trigger stays on both.
"""

from django.db import migrations

DROP = "DROP TRIGGER IF EXISTS notices_documentversion_frozen_delete;"
CREATE = """
CREATE TRIGGER notices_documentversion_frozen_delete
BEFORE DELETE ON notices_documentversion
FOR EACH ROW WHEN OLD.status <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'published notice and policy versions cannot be deleted');
END;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(DROP)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE)


class Migration(migrations.Migration):
    dependencies = [("notices", "0002_documentversion_frozen")]

    operations = [migrations.RunPython(forward, backward)]
