"""Health endpoints for the proxy, the service manager and the orchestrator.

``/healthz`` says the process answers (it touches nothing else); ``/readyz`` says it can serve: the database
(and its replica when there is one), Redis when configured, and the media storage. Each check answers "ok" or
"failed"; the reason of a failure goes to the log, not to the anonymous caller. ``/readyz`` also names the
release the worker runs, so a rolling upgrade can be watched worker by worker.
"""

import logging
import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from config.version import VERSION

logger = logging.getLogger(__name__)

PROBE_NAME = "readyz-probe"


@login_not_required
@never_cache
def healthz(request):
    """Answer at once: the worker process is alive."""
    return JsonResponse({"status": "ok"})


def _check_database(alias: str) -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_redis() -> None:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


def _check_storage() -> None:
    if isinstance(default_storage, FileSystemStorage):
        location = Path(default_storage.location)
        location.mkdir(parents=True, exist_ok=True)
        if not os.access(location, os.W_OK):
            raise PermissionError(f"{location} is not writable")
    else:
        # One round trip to the object store: the bucket answers and the credentials are accepted.
        default_storage.exists(PROBE_NAME)


def readiness_checks() -> dict:
    """Name every dependency this installation has and the function that checks it."""
    checks = {alias: (lambda alias=alias: _check_database(alias)) for alias in settings.DATABASES}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis
    checks["storage"] = _check_storage
    return checks


@login_not_required
@never_cache
def readyz(request):
    """Check each dependency; 200 when all answer, 503 with the failed ones otherwise."""
    results = {}
    for name, check in readiness_checks().items():
        try:
            check()
        except Exception:
            logger.exception("Readiness check %s failed", name)
            results[name] = "failed"
        else:
            results[name] = "ok"
    ready = all(result == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ok" if ready else "failed", "version": VERSION, "checks": results}, status=200 if ready else 503
    )
