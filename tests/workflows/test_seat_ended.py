"""A step taken under a seat that ends goes back to the unit's queue, with a ledger entry and a notice."""

import datetime
from io import StringIO

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from audit.events import AuditEvent
from audit.models import LedgerEntry
from notifications.models import Notification
from org_hierarchy.models import Membership, Role
from tests.base import grant, make_user
from workflows.selectors import node_url

from .base import FlowTestCase


class SeatEndedTests(FlowTestCase):
    def setUp(self):
        self.head = self.officer(self.world.haichau_pc, Role.APPROVER)
        self.deputy = grant(
            Role.APPROVER,
            self.world.haichau_pc,
            user=make_user("deputy"),
            acting_for=self.head,
            valid_from=timezone.localdate() - datetime.timedelta(days=10),
            valid_to=timezone.localdate() + datetime.timedelta(days=30),
        )
        self.delegation = Membership.objects.get(user=self.deputy)
        process = self.submit(self.make_dossier(self.commune_award, nominees=1))
        self.appraise(process, self.world.haichau_pc)
        self.vote(process, self.world.haichau_pc)
        self.task = self.open_task(process)
        self.login(self.deputy)
        response = self.client.post(node_url(self.task.flow_task, "assign", self.task.process_id, self.task.pk))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Task.objects.get(pk=self.task.pk).owner, self.deputy)
        Notification.objects.all().delete()

    def assert_back_in_the_queue(self, actor):
        task = Task.objects.get(pk=self.task.pk)
        self.assertEqual((task.owner_id, task.status), (None, STATUS.NEW))
        entry = LedgerEntry.objects.get(event=AuditEvent.STEP_RELEASED)
        self.assertEqual(
            (entry.actor_id, entry.data["user_id"], entry.unit_id), (actor, self.deputy.pk, self.world.haichau_pc.pk)
        )
        notice = Notification.objects.get(recipient=self.head)
        self.assertEqual(notice.url, node_url(task.flow_task, "index", task.process_id, task.pk))
        # The head takes the step from the queue, which they could not while the deputy held it.
        self.login(self.head)
        response = self.client.post(node_url(task.flow_task, "assign", task.process_id, task.pk))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Task.objects.get(pk=task.pk).owner, self.head)

    def test_a_delegation_that_runs_out_hands_the_step_back_with_the_timer_dispatcher(self):
        Membership.objects.filter(pk=self.delegation.pk).update(
            valid_to=timezone.localdate() - datetime.timedelta(days=1)
        )
        call_command("dispatch_timers", stdout=StringIO())
        self.assert_back_in_the_queue(actor=None)

    def test_an_administrator_moves_the_end_date_earlier_and_the_history_keeps_both(self):
        admin = make_user("root", is_superuser=True, is_staff=True)
        self.login(admin)
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        url = reverse("admin:org_hierarchy_membership_change", args=[self.delegation.pk])
        response = self.client.post(url, {"valid_to": yesterday.isoformat(), "_save": "Save"})
        self.assertEqual(response.status_code, 302, response.content.decode()[-2000:])
        self.assertEqual(Membership.objects.get(pk=self.delegation.pk).valid_to, yesterday)
        ends = set(self.delegation.history.values_list("valid_to", flat=True))
        self.assertEqual(ends, {yesterday, timezone.localdate() + datetime.timedelta(days=30)})
        self.assert_back_in_the_queue(actor=admin.pk)

    def test_a_later_end_date_keeps_the_step_with_the_deputy(self):
        admin = make_user("root", is_superuser=True, is_staff=True)
        self.login(admin)
        later = timezone.localdate() + datetime.timedelta(days=60)
        url = reverse("admin:org_hierarchy_membership_change", args=[self.delegation.pk])
        self.client.post(url, {"valid_to": later.isoformat(), "_save": "Save"})
        self.assertEqual(Membership.objects.get(pk=self.delegation.pk).valid_to, later)
        self.assertEqual(Task.objects.get(pk=self.task.pk).owner, self.deputy)
        self.assertFalse(LedgerEntry.objects.filter(event=AuditEvent.STEP_RELEASED).exists())
