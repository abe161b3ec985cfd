"""One request budget per token (per user for the browser's session, per address for anonymous calls)."""

from rest_framework.throttling import SimpleRateThrottle

from .permissions import token_of


class PerTokenThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        token = token_of(request)
        if token is not None:
            ident = f"token:{token.pk}"
        elif request.user is not None and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
