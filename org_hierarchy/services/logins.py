"""Sign-in lockouts and second factors: an administrator lifts a lockout or resets a lost factor here, on the record.

django-axes counts the failures; django-otp keeps the devices (an authenticator app, the recovery codes).
"""

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..signals import login_unlocked, two_factor_reset


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


@transaction.atomic
def two_factor_reset_for(*, user, actor) -> int:
    """Remove the person's authenticator and recovery codes, so their next sign-in enrols anew; return how many.

    A person with nothing to remove is left alone and nothing is recorded.
    """
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        _total, by_model = model.objects.filter(user=user).delete()
        removed += by_model.get(model._meta.label, 0)
    if removed:
        two_factor_reset.send(sender=type(user), actor=actor, user=user, devices=removed)
    return removed
