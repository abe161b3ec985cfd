"""Two-factor authentication: who must use it, the page they are sent to, and the two acts that change state.

The factors are django-otp's devices: one TOTP device (an authenticator app) per person, and one static device
holding their one-time recovery codes. ``settings.MFA_REQUIRED_ROLES`` names the roles that need them; superusers
need them whenever any role does. Enrolment and each use of a recovery code leave a ledger entry.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.events import AuditEvent
from audit.services import record
from org_hierarchy.selectors import seats_of

DEVICE_NAME = "default"
# The pages a signed-in person reaches before typing their code: the two of this module, leaving, the language.
EXEMPT_VIEWS = frozenset({"two_factor_enrol", "two_factor_verify", "login", "logout", "set_language"})


def two_factor_required(*, user) -> bool:
    """Say whether the user must pass a second factor: they are a superuser or hold a role that requires one."""
    required = set(settings.MFA_REQUIRED_ROLES)
    if not required or not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or any(seat.role in required for seat in seats_of(user))


def pending_device(*, user) -> TOTPDevice:
    """Return the user's unconfirmed authenticator device, made on first need (its key is shown as a QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def two_factor_enrol(*, request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm ``device`` with a code from the app; return the new recovery codes, or None for a wrong code.

    The codes are shown once: only django-otp's copies remain, each deleted when used.
    """
    user = request.user
    with transaction.atomic():
        if not device.verify_token(token):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        StaticDevice.objects.filter(user=user).delete()
        recovery = StaticDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
        record(AuditEvent.TWO_FACTOR_ENROLLED, actor=user, subject=user, data={"recovery_codes": len(codes)})
    otp_login(request, device)
    return codes


def two_factor_verify(*, request, token: str) -> bool:
    """Check a code from the app or a recovery code (used up); on success the session counts as verified."""
    user = request.user
    token = token.strip().replace(" ", "")
    with transaction.atomic():
        device = next(
            (
                device
                for model in (TOTPDevice, StaticDevice)
                for device in model.objects.filter(user=user, confirmed=True).select_for_update()
                if device.verify_token(token)
            ),
            None,
        )
        if device is None:
            return False
        if isinstance(device, StaticDevice):
            record(
                AuditEvent.RECOVERY_CODE_USED,
                actor=user,
                subject=user,
                data={"recovery_codes_left": device.token_set.count()},
            )
    otp_login(request, device)
    return True


class TwoFactorRequiredMiddleware:
    """Send a signed-in person who must use two-factor authentication to enrol, or to type their code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match.view_name in EXEMPT_VIEWS or not getattr(view_func, "login_required", True):
            return None
        if not two_factor_required(user=user):
            return None
        page = "two_factor_verify" if user_has_device(user, confirmed=True) else "two_factor_enrol"
        return redirect(f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}")
