"""An index on viewflow's process table for the newest-first process list.

The process list is read newest first (``-created``, then ``-pk``) and stops one row past its page; with this index
PostgreSQL walks the processes in that order instead of sorting every visible one. As in 0002, the table is
viewflow's, so the index is plain SQL that SQLite and PostgreSQL both accept.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0002_task_indexes_and_deadlines_as_data"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX workflows_process_created ON viewflow_process (created, id)",
            "DROP INDEX workflows_process_created",
        ),
    ]
