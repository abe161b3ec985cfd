"""Auditors read and never write: every state-changing request from an auditor is refused, whatever the URL.

The views of the other apps check their own permissions; this is the site-wide guarantee behind them, so that a
view that forgets to (an admin page, a viewflow task URL, a form added later) still cannot be used by an auditor.
Only the personal actions that change nothing of the domain pass.
"""

from django.shortcuts import render

from .selectors import is_auditor_only

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# Personal actions (their own session, language, password, second factor, notification preferences and read
# marks) and the start of a new ledger verification, which writes only the audit's own record of the run.
ALLOWED_VIEWS = frozenset(
    {
        "login",
        "logout",
        "password_change",
        "admin:logout",
        "admin:password_change",
        "set_language",
        "two_factor_enrol",
        "two_factor_verify",
        "notifications:open",
        "notifications:read_all",
        "notifications:preferences",
        "audit:verify",
    }
)


class AuditorReadOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in SAFE_METHODS:
            return None
        if request.method == "POST" and request.resolver_match.view_name in ALLOWED_VIEWS:
            return None
        if not is_auditor_only(user=request.user):
            return None
        return render(request, "audit/read_only.html", status=403)
