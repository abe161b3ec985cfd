"""Bearer tokens of service accounts: ``Authorization: Bearer mf_<prefix>_<secret>``."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from . import selectors, services

INVALID_TOKEN = _("The token is unknown, expired or revoked.")


class TokenAuthentication(authentication.BaseAuthentication):
    """Authenticate as the token's service account; ``request.auth`` is the token (its scopes, its throttle)."""

    keyword = "bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        scheme, _, text = header.partition(" ")
        if scheme.lower() != self.keyword:
            return None
        token = selectors.token_for_text(text.strip())
        if token is None or not token.account.user.is_active:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        services.api_token_touch(token=token)
        return token.account.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="meritflow"'
