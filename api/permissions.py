"""Who may call the API at all: a signed-in user or a token, within its scopes; auditors only read."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from audit.selectors import is_auditor_only

from .models import ApiToken, Scope

AUDITOR_READ_ONLY = _(
    "Your roles are auditor roles only: you can read the records of your units, but not change anything."
)
SCOPE_MISSING = _("This token's scopes do not allow this request.")


def token_of(request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


class ApiAccess(permissions.BasePermission):
    """Authenticated; a token needs ``read`` to read and ``write`` to change; an auditor never changes anything.

    The views' own checks (scope, role, separation of duties) are the services' and selectors', as on the pages.
    Views that change nothing of the domain (starting a ledger verification) set ``auditors_may_post``.
    """

    def has_permission(self, request, view):
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        safe = request.method in permissions.SAFE_METHODS
        token = token_of(request)
        if token is not None and (Scope.READ if safe else Scope.WRITE) not in token.scopes:
            self.message = SCOPE_MISSING
            return False
        if not safe and not getattr(view, "auditors_may_post", False) and is_auditor_only(user=user):
            self.message = AUDITOR_READ_ONLY
            return False
        return True
