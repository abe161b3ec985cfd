"""Sign-in lockouts (django-axes counts the failures; an administrator lifts a lockout here, on the record)."""

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.db import transaction

from ..signals import login_unlocked


@transaction.atomic
def login_unlock(*, attempt: AccessAttempt, actor) -> int:
    """Lift the lockout of the attempt's account and client address; return how many failure records were cleared."""
    cleared = AxesProxyHandler.reset_attempts(
        ip_address=attempt.ip_address, username=attempt.username, ip_or_username=True
    )
    login_unlocked.send(
        sender=AccessAttempt, actor=actor, username=attempt.username or "", ip_address=attempt.ip_address or ""
    )
    return cleared
