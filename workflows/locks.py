"""The flow lock: viewflow's ``SELECT … FOR UPDATE NOWAIT`` on the process row, with the step's ledger batch.

Every step runs inside the flow lock's transaction (the execute view, the timers, the withdrawal, the release of
unseated steps), so the lock is where a step's ledger entries are written: ``audit.services.ledger_batch`` holds
them while the step runs and chains them in one statement as the lock's block ends, just before its commit. The
ledger's chain head, which every step of every dossier needs, is then locked for two round trips and the commit
instead of from the step's first entry to its end. The nominations services a step calls open no savepoint of
their own inside it (``one_transaction``): a refused step rolls back its whole transaction.
"""

from contextlib import contextmanager

from viewflow.workflow.lock import SelectForUpdateLock

from audit.services import ledger_batch
from nominations.services.tracking import one_transaction


class FlowLock(SelectForUpdateLock):
    @contextmanager
    def __call__(self, flow_class, process_pk):
        with super().__call__(flow_class, process_pk), ledger_batch(), one_transaction():
            yield


flow_lock = FlowLock()
