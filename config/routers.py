"""Reads of the heavy read-only pages from a PostgreSQL streaming replica, when ``DATABASE_REPLICA_URL`` is set.

Only a GET or HEAD of a page named in ``REPLICA_READ_VIEWS`` (statistics, exports, the auditor's search) reads
from the replica, and only outside a transaction: a read that belongs to a write (a ledger entry's chain head, a
lock) stays on the primary. Sessions, login lockouts, two-factor devices and tasks always use the primary, so a
replica that lags a moment behind never logs anyone out. Everything else, and every write, goes to the primary.
"""

from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes", "otp_static", "otp_totp", "otp_email", "django_tasks_db"})
_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (
            _replica_reads.get()
            and REPLICA in settings.DATABASES
            and model._meta.app_label not in PRIMARY_ONLY_APPS
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: objects read from either may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    """Mark the request's reads for the replica when it is a GET of one of the heavy read-only pages.

    The mark is set for the whole request, including a streamed export's rows read after the view returned, and
    cleared at the start of the next one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _replica_reads.set(False)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in ("GET", "HEAD") and REPLICA in settings.DATABASES:
            _replica_reads.set(request.resolver_match.view_name in settings.REPLICA_READ_VIEWS)
