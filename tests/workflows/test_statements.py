"""How many SQL statements one step of the flow costs, history, ledger, guardian-free checks and notices included.

The budget is the measured count; a new query in a step must be justified here. Measured on SQLite (the test
case's own savepoint included), per request with the session and user reads and the test helper's 2-3 reads of
the open task: submit 62, appraise 33, vote 29, sign and forward 63, sign and decide 62. Of a step, viewflow's
bookkeeping is about 12: the flow lock, the task read, the finished task and its one history row, the process
data, each gateway passed (an INSERT of the finished row and its link) and the next task (INSERT, history row,
link); the step carries no timer rows (deadlines are data). The ledger costs 3 per entry on SQLite (2 on
PostgreSQL), the notice 2 (recipients with their preferences, insert); submit and decide also run the dossier's
submission and the numbered decision with their own history and entries; the submission computes the route once
(two reads: the unit's ancestors, the territorial stage units) for the eligibility rule and the stored route. Before
this budget was set a step cost 88, 76, 68, 87 and 86. Forwarding was 44 until it registered its submission letter
(19 more: the dossier's lock, the head's check, the route's order, the issuer's counter created on first use and
advanced under its lock, the letter's constraint checks, row and history row); submit, 58 when
the budget was set, now measures 62, one of them the deadline's read of the year's calendar exceptions (once,
then from the cache); deciding measures 69 with the calendar's reads.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from org_hierarchy.models import Role
from workflows.models import StageOutcome

from .base import FlowTestCase

# Per POST, the request's own session and user reads included (2 nominees). Deciding at an issuer for the first
# time creates its golden-book counter (5 statements, once per issuer) and reads the day of the stage's last step.
STEP_BUDGET = {"submit": 62, "appraise": 33, "vote": 29, "sign_forward": 63, "sign_decide": 69}


def head_lock_tail(captured) -> list[str]:
    """The statements a step runs from the chain head's lock to the end of the transaction it is taken in.

    In a test the step's transaction is a savepoint of the test's, so its end is the savepoint's release.
    """
    sqls = [query["sql"] for query in captured]
    locks = [index for index, sql in enumerate(sqls) if sql.startswith("SELECT") and '"audit_chainhead"' in sql]
    assert len(locks) == 1, locks
    end = next(index for index in range(locks[0], len(sqls)) if sqls[index].startswith("RELEASE SAVEPOINT"))
    return sqls[locks[0] + 1 : end]


class StatementsPerStepTests(FlowTestCase):
    def measure(self, user, action, step):
        self.login(user)
        with CaptureQueriesContext(connection) as captured:
            action()
        self.tails[step] = head_lock_tail(captured)
        return len(captured)

    def test_each_step_stays_within_its_budget(self):
        dossier = self.make_dossier(self.province_award)
        w = self.world
        counts, self.tails = {}, {}
        with CaptureQueriesContext(connection) as captured:
            process = self.submit(dossier)
        counts["submit"] = len(captured)
        self.tails["submit"] = head_lock_tail(captured)
        counts["appraise"] = self.measure(
            self.officer(w.haichau_pc, Role.APPRAISER), lambda: self.appraise(process, w.haichau_pc), "appraise"
        )
        counts["vote"] = self.measure(
            self.officer(w.haichau_pc, Role.SECRETARY), lambda: self.vote(process, w.haichau_pc), "vote"
        )
        counts["sign_forward"] = self.measure(
            self.officer(w.haichau_pc, Role.APPROVER),
            lambda: self.sign(process, w.haichau_pc, StageOutcome.FORWARD),
            "sign_forward",
        )
        self.appraise(process, w.danang_pc)
        self.vote(process, w.danang_pc)
        counts["sign_decide"] = self.measure(
            self.officer(w.danang_pc, Role.APPROVER),
            lambda: self.sign(process, w.danang_pc, StageOutcome.DECIDE),
            "sign_decide",
        )
        print("statements per step:", counts)
        self.assertEqual(set(counts), set(self.tails))
        for step, tail in self.tails.items():
            with self.subTest(step=step):
                # After the lock: the entries and the head's move only (one statement on PostgreSQL).
                self.assertTrue(tail, step)
                self.assertTrue(all('"audit_' in sql for sql in tail), tail)
        for step, count in counts.items():
            self.assertLessEqual(count, STEP_BUDGET[step], step)
