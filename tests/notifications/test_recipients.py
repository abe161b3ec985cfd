"""Who hears of what: a ministry-level dossier with a consultation and a return, step by step.

Each step must notify exactly the people who can act next (or the submitter, for a return and the decision),
nobody at a neighbouring unit, in another role or in another province.
"""

from notifications.models import Notification
from org_hierarchy.models import Role
from tests.base import grant
from tests.workflows.base import FlowTestCase
from workflows.models import StageOutcome

WAITING = "task.waiting"
DECIDED = "decision.issued"


class MinistryLifecycleRecipientsTests(FlowTestCase):
    def setUp(self):
        w = self.world
        # People who must never hear about this dossier.
        self.bystanders = [
            grant(Role.APPRAISER, w.hanoi_police),
            grant(Role.APPRAISER, w.thanhkhe_police),
            grant(Role.SUBMITTER, w.school),
            grant(Role.AUDITOR, w.mps),
        ]
        self.seen = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def heard(self):
        """Return who was notified of what since the last call, as (username, event) pairs."""
        rows = Notification.objects.filter(pk__gt=self.seen).select_related("recipient")
        pairs = {(n.recipient.username, n.event) for n in rows}
        self.seen = max([self.seen, *(n.pk for n in rows)])
        return pairs

    def stage_officer(self, unit_name, role):
        return (f"{unit_name}_{role}", WAITING)

    def test_each_step_reaches_exactly_the_people_who_act_next(self):
        w = self.world
        dossier = self.make_dossier(self.ministry_award)
        process = self.submit(dossier)
        self.assertEqual(self.heard(), {self.stage_officer("haichau_police", Role.APPRAISER)})

        # Commune police stage, with a consultation of the ward People's Committee.
        self.appraise(process, w.haichau_police, consult=[w.haichau_pc])
        self.assertEqual(self.heard(), {self.stage_officer("haichau_pc", Role.APPRAISER)})
        consultation = self.open_task(process)
        self.act(self.officer(w.haichau_pc, Role.APPRAISER), consultation, {"opinion": "Thống nhất", "agrees": "on"})
        self.assertEqual(self.heard(), {self.stage_officer("haichau_police", Role.SECRETARY)})
        self.vote(process, w.haichau_police)
        self.assertEqual(self.heard(), {self.stage_officer("haichau_police", Role.APPROVER)})
        self.sign(process, w.haichau_police, StageOutcome.FORWARD)
        self.assertEqual(self.heard(), {self.stage_officer("danang_police", Role.APPRAISER)})

        # City police stage.
        self.appraise(process, w.danang_police)
        self.assertEqual(self.heard(), {self.stage_officer("danang_police", Role.SECRETARY)})
        self.vote(process, w.danang_police)
        self.assertEqual(self.heard(), {self.stage_officer("danang_police", Role.APPROVER)})
        self.sign(process, w.danang_police, StageOutcome.FORWARD)
        self.assertEqual(self.heard(), {self.stage_officer("mps", Role.APPRAISER)})

        # Ministry stage: returned for supplement, then decided.
        self.appraise(process, w.mps)
        self.assertEqual(self.heard(), {self.stage_officer("mps", Role.SECRETARY)})
        self.vote(process, w.mps)
        self.assertEqual(self.heard(), {self.stage_officer("mps", Role.APPROVER)})
        self.sign(process, w.mps, StageOutcome.RETURN, note="Thiếu biên bản họp xét.")
        self.assertEqual(self.heard(), {("submitter", WAITING)})
        self.supplement(process)
        self.assertEqual(self.heard(), {self.stage_officer("mps", Role.APPRAISER)})
        self.appraise(process, w.mps)
        self.vote(process, w.mps)
        self.assertEqual(len(self.heard()), 2)
        self.sign(process, w.mps, StageOutcome.DECIDE)
        self.assertEqual(self.heard(), {("submitter", DECIDED)})

        self.assertFalse(Notification.objects.filter(recipient__in=self.bystanders).exists())
        # The submitter is never told to act on a stage of their own dossier.
        self.assertEqual(
            set(Notification.objects.filter(recipient=self.submitter).values_list("event", flat=True)),
            {WAITING, DECIDED},
        )
