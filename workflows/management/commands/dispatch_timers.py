"""The periodic dispatcher: send due deadline notices, fire viewflow's own timers, and bring role groups in step
with the calendar."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from viewflow.workflow.timers import fire_due_conditions, fire_due_start_timers, fire_due_timers

from documents.services import documents_sweep
from notifications.outbox import outbox_sweep
from org_hierarchy.services import memberships_sync_due
from workflows import timers
from workflows.services import deadlines_fire


class Command(BaseCommand):
    help = _(
        "Fire due deadline reminders and escalations, and resynchronise the role groups of memberships that "
        "started or expired, and deliver the e-mails due in the outbox and render the documents due. Run it every "
        "minute from one scheduler."
    )

    def handle(self, *args, **options):
        fired = deadlines_fire() + fire_due_timers() + timers.run_registered()
        started = fire_due_start_timers()
        conditions = fire_due_conditions()
        users = memberships_sync_due()
        emails = outbox_sweep()
        documents = documents_sweep()
        self.stdout.write(
            _(
                "%(fired)d timer(s) fired, %(started)d process(es) started, %(conditions)d condition(s) met, "
                "role groups resynchronised for %(users)d user(s), %(emails)d e-mail(s) due in the outbox, "
                "%(documents)d document(s) due."
            )
            % {
                "fired": fired,
                "started": started,
                "conditions": conditions,
                "users": users,
                "emails": emails,
                "documents": documents,
            }
        )
