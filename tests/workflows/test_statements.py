"""How many SQL statements one step of the flow costs, history, ledger, guardian-free checks and notices included.

Each step's request is counted through the real view as the real user (the submitter, then the appraiser, the
council's secretary and the head of each stage), from the request's own session and user reads to its commit; the
after-commit work (the e-mail outbox's delivery, the documents' request) runs in its own transaction and is not
counted. The budget is the measured count, pinned exactly: a new statement in a step must be justified here, and a
step made cheaper lowers its pin. It is the same at N and 2N nominees: no step reads or writes per nominee one
statement at a time.

The counts are of a warm process: one lifecycle runs first, as in a worker that has served requests (what is read
once per process or cached is there, and so is the issuer's golden-book counter). Of a step, viewflow's
bookkeeping is about 12: the flow lock, the task read, the finished task and its one history row, the process
data, each gateway passed (an INSERT of the finished row and its link) and the next task (INSERT, history row,
link). The ledger's entries are written as the flow lock's block ends, after the head's lock; the notice costs 2
(recipients with their preferences, insert); submit and decide also run the dossier's submission and the numbered
decision with their own history and entries, and the statistics' tallies of the dossier (submit 1: the INSERT …
SELECT of its counts; decide 2: the DELETE of its counts and that INSERT), and the webhooks' outbox (submit and
decide 1 each: one INSERT … SELECT of the deliveries for the matching subscriptions, both of decide's events in
it, written even when none matches, since a cached "no subscription" could be stale in another process);
forwarding registers its submission letter. The two vendors differ
only there: PostgreSQL writes a step's entries and moves the head in one statement, SQLite in one INSERT per entry
and an UPDATE (so SQLite's count is PostgreSQL's plus the step's ledger entries: 1 for appraise and vote, 2 for
submit and decide, 3 for forward).
"""

from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext

from workflows.models import StageOutcome

from .base import FlowTestCase

STEPS = ("submit", "appraise", "vote", "sign_forward", "sign_decide")
# Statements per request, per database vendor (the test case's own savepoints included).
STEP_BUDGET = {
    "sqlite": {"submit": 38, "appraise": 30, "vote": 27, "sign_forward": 37, "sign_decide": 47},
    "postgresql": {"submit": 36, "appraise": 29, "vote": 26, "sign_forward": 34, "sign_decide": 45},
}
NOMINEES = 3


def head_lock_tail(sqls: list[str]) -> list[str]:
    """The statements a step runs from the chain head's lock to the end of the transaction it is taken in.

    In a test the step's transaction is a savepoint of the test's, so its end is the savepoint's release.
    """
    locks = [index for index, sql in enumerate(sqls) if sql.startswith("SELECT") and '"audit_chainhead"' in sql]
    assert len(locks) == 1, locks
    end = next(index for index in range(locks[0], len(sqls)) if sqls[index].startswith("RELEASE SAVEPOINT"))
    return sqls[locks[0] + 1 : end]


class StatementsPerStepTests(FlowTestCase):
    def lifecycle(self, nominees: int) -> dict[str, list[str]]:
        """The statements of each step's request, for a dossier of ``nominees`` decided at the province."""
        w = self.world
        statements = {}
        post = self.client.post

        def counted(step):
            def counted_post(*args, **kwargs):
                with CaptureQueriesContext(connection) as captured:
                    response = post(*args, **kwargs)
                statements[step] = [query["sql"] for query in captured]
                return response

            return mock.patch.object(self.client, "post", counted_post)

        dossier = self.make_dossier(self.province_award, nominees=nominees)
        with counted("submit"):
            process = self.submit(dossier)
        self.appraise(process, w.haichau_pc)
        self.vote(process, w.haichau_pc)
        with counted("sign_forward"):
            self.sign(process, w.haichau_pc, StageOutcome.FORWARD)
        with counted("appraise"):
            self.appraise(process, w.danang_pc)
        with counted("vote"):
            self.vote(process, w.danang_pc)
        with counted("sign_decide"):
            self.sign(process, w.danang_pc, StageOutcome.DECIDE)
        process.refresh_from_db()
        self.assertTrue(process.finished, process.status)
        return statements

    def test_each_step_costs_its_budget_whatever_the_nominees(self):
        self.lifecycle(NOMINEES)
        counts = {n: {step: len(sqls) for step, sqls in self.lifecycle(n).items()} for n in (NOMINEES, 2 * NOMINEES)}
        print("statements per step:", counts)
        self.assertEqual(counts[2 * NOMINEES], counts[NOMINEES], "a step's statements grow with its nominees")
        self.assertEqual(counts[NOMINEES], STEP_BUDGET[connection.vendor])

    def test_the_chain_head_is_locked_only_for_the_ledger_write(self):
        for step, sqls in self.lifecycle(NOMINEES).items():
            with self.subTest(step=step):
                tail = head_lock_tail(sqls)
                # After the lock: the entries and the head's move only (one statement on PostgreSQL).
                self.assertTrue(tail, step)
                self.assertTrue(all('"audit_' in sql for sql in tail), tail)
