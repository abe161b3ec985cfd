"""Indexes on viewflow's task table for this app's reads, and the end of the deadline timer rows.

viewflow's ``Task`` table is not this app's, so its indexes are created with SQL that SQLite and PostgreSQL both
accept, and dropped on the way back:

- ``owner_permission_obj_pk``: the unit a step is offered to; every queue and visibility filter reads it.
- the open steps with a pending deadline notice (``scheduled`` set): ``dispatch_timers`` finds the due ones with
  one range scan over this small partial index, however many finished steps the table holds.

Deadlines used to be two boundary timer tasks per step; they are now data on the step itself. Timer rows still
scheduled for the removed nodes are cancelled so that viewflow's timer dispatcher never meets them.
"""

from django.db import migrations

OPEN = "('NEW', 'ASSIGNED', 'STARTED')"


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0001_initial"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX workflows_task_owner_obj ON viewflow_task (owner_permission_obj_pk)",
            "DROP INDEX workflows_task_owner_obj",
        ),
        migrations.RunSQL(
            "CREATE INDEX workflows_task_deadline_due ON viewflow_task (scheduled) "
            f"WHERE flow_task_type = 'HUMAN' AND status IN {OPEN} AND scheduled IS NOT NULL",
            "DROP INDEX workflows_task_deadline_due",
        ),
        migrations.RunSQL(
            "UPDATE viewflow_task SET status = 'CANCELED' WHERE flow_task_type = 'TIMER' AND status = 'SCHEDULED' "
            "AND flow_task LIKE 'workflows/flows.NominationFlow.%'",
            migrations.RunSQL.noop,
        ),
    ]
