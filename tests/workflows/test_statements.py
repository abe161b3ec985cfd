"""How many SQL statements one step of the flow costs, history, ledger, guardian-free checks and notices included.

The budget is the measured count with a little room; a new query in a step must be justified here. Measured on
SQLite (PostgreSQL within two statements), per request and with the test helper's 2-3 reads of the open task:
submit 88, appraise 76, vote 68, sign and forward 87, sign and decide 86. Of a step, viewflow's bookkeeping
(the task, its history row, the gateways after it, the next task, and arming and disarming the two deadline
timers of every step) is about 40 statements; the ledger entry 3, the notification 3, the dossier's own writes
with their history the rest.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from org_hierarchy.models import Role
from workflows.models import StageOutcome

from .base import FlowTestCase

# Per POST, the request's own session and user reads included (2 nominees).
STEP_BUDGET = {"submit": 95, "appraise": 82, "vote": 74, "sign_forward": 94, "sign_decide": 93}


class StatementsPerStepTests(FlowTestCase):
    def measure(self, user, action):
        self.login(user)
        with CaptureQueriesContext(connection) as captured:
            action()
        return len(captured)

    def test_each_step_stays_within_its_budget(self):
        dossier = self.make_dossier(self.province_award)
        w = self.world
        counts = {}
        with CaptureQueriesContext(connection) as captured:
            process = self.submit(dossier)
        counts["submit"] = len(captured)
        counts["appraise"] = self.measure(
            self.officer(w.haichau_pc, Role.APPRAISER), lambda: self.appraise(process, w.haichau_pc)
        )
        counts["vote"] = self.measure(
            self.officer(w.haichau_pc, Role.SECRETARY), lambda: self.vote(process, w.haichau_pc)
        )
        counts["sign_forward"] = self.measure(
            self.officer(w.haichau_pc, Role.APPROVER),
            lambda: self.sign(process, w.haichau_pc, StageOutcome.FORWARD),
        )
        self.appraise(process, w.danang_pc)
        self.vote(process, w.danang_pc)
        counts["sign_decide"] = self.measure(
            self.officer(w.danang_pc, Role.APPROVER), lambda: self.sign(process, w.danang_pc, StageOutcome.DECIDE)
        )
        print("statements per step:", counts)
        for step, count in counts.items():
            self.assertLessEqual(count, STEP_BUDGET[step], step)
